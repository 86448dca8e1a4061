from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "rankfile.elections"
    label = "elections"

    def ready(self) -> None:
        from rankfile.elections.holds import nomination_erasure_holds, roll_erasure_holds
        from rankfile.elections.services.credentials import credential_bounce_audit
        from rankfile.outbox.signals import message_bounced
        from rankfile.privacy.holds import register_erasure_hold

        # A voting code's bounce goes in its election's audit, however it was recorded.
        message_bounced.connect(credential_bounce_audit, dispatch_uid="credential_bounce_audit")

        # Erasure waits while a roll that holds the person can be challenged.
        register_erasure_hold(roll_erasure_holds)
        # And while the candidates nominated can be challenged.
        register_erasure_hold(nomination_erasure_holds)
