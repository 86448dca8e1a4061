from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rankfile.privacy.services import daily_run, retention_rule
from rankfile.privacy.tasks import privacy_daily


class Command(BaseCommand):
    help = (
        "Apply the retention rule (anonymise rejected applications after "
        "RETENTION_REJECTED_MONTHS) and finish deferred erasures no hold keeps any more. "
        "Enqueues the job for the worker; --now runs it here and reports what it removed. "
        "Acts as the system. "
        "Example: rankfile privacy_daily (from cron, once a day). Running it twice is harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true",
                            help="Run the job in this process instead of enqueueing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            run = daily_run()
            self.stdout.write(f"{retention_rule()} Removed {run.removed}"
                              + (f": {', '.join(run.pseudonyms)}" if run.pseudonyms else "."))
            return
        result = privacy_daily.enqueue()
        self.stdout.write(f"Enqueued the data-protection job ({result.id}); the worker runs it.")
