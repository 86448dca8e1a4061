from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "rankfile.membership"
    label = "membership"

    def ready(self) -> None:
        from rankfile.core.worker import sweep_register
        from rankfile.membership import checks  # noqa: F401  (registers the system checks)
        from rankfile.membership.services.joining import allow_join_rows
        from rankfile.membership.tasks import confirmations_queue, known_address_notices_queue

        allow_join_rows()
        # A sign-up's e-mails are due by a flag in its rows, not by a job each.
        sweep_register(confirmations_queue)
        sweep_register(known_address_notices_queue)
