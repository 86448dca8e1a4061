from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "rankfile.elections"
    label = "elections"

    def ready(self) -> None:
        from rankfile.elections.holds import nomination_erasure_holds, roll_erasure_holds
        from rankfile.privacy.holds import register_erasure_hold

        # Erasure waits while a roll that holds the person can be challenged.
        register_erasure_hold(roll_erasure_holds)
        # And while the candidates nominated can be challenged.
        register_erasure_hold(nomination_erasure_holds)
