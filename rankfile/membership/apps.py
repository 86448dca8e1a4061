from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "rankfile.membership"
    label = "membership"

    def ready(self) -> None:
        from rankfile.membership import checks  # noqa: F401  (registers the system checks)
        from rankfile.membership.services.joining import allow_join_rows

        allow_join_rows()
