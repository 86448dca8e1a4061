from django.core.management.base import BaseCommand

from rankfile.core.actors import System
from rankfile.membership.services.payments import membership_expire_unpaid


class Command(BaseCommand):
    help = (
        "Expire applications whose fee was not paid within UNPAID_APPLICATION_EXPIRY_HOURS, "
        "and cancel their payments. Acts as the system. "
        "Example: manage.py expire_unpaid (run it hourly)."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = membership_expire_unpaid(by=System("expire_unpaid command"))
        self.stdout.write(f"Expired {count} unpaid application{'s' if count != 1 else ''}.")
