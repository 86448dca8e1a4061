from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rankfile.core.actors import System
from rankfile.membership.services.dues import dues_run
from rankfile.membership.tasks import dues_daily


class Command(BaseCommand):
    help = (
        "Remind members behind with their dues, then move them into arrears and lapse as "
        "the rules say (docs/dues.md). Enqueues the job for the worker; --now runs it here. "
        "Acts as the system. "
        "Example: rankfile dues_run (from cron, once a day). Running it twice is harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true",
                            help="Run the job in this process instead of enqueueing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(str(dues_run(by=System("dues_run command"))))
            return
        result = dues_daily.enqueue()
        self.stdout.write(f"Enqueued the dues job ({result.id}); the worker runs it.")
