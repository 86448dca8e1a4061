from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rankfile.core.actors import System
from rankfile.vetting.services import vetting_check
from rankfile.vetting.tasks import vetting_check_job


class Command(BaseCommand):
    help = (
        "Check the applications waiting for vetting against the exclusion list, the other "
        "memberships (duplicates) and their union's list, flagging what matches (never "
        "deciding). Enqueues the job for the worker; --now runs it here. Acts as the "
        "system. Example: rankfile vetting_check (from cron, hourly). Running it twice is "
        "harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true",
                            help="Run the checks in this process instead of enqueueing them.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(str(vetting_check(by=System("vetting_check command"))))
            return
        result = vetting_check_job.enqueue()
        self.stdout.write(f"Enqueued the vetting checks ({result.id}); the worker runs them.")
