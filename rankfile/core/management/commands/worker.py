"""``rankfile worker``: run background jobs, each under a lease (see ``core.worker``)."""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import (
    Command as DBWorkerCommand,
)
from django_tasks_db.management.commands.db_worker import (
    valid_backend_name,
    valid_interval,
    valid_max_tasks,
    validate_worker_id,
)

from rankfile.core.worker import Worker, new_worker_id, previous_signal_handlers


def valid_lease(value: str) -> float:
    seconds = valid_interval(value)
    if not 1 <= seconds <= 3600:
        from argparse import ArgumentTypeError

        raise ArgumentTypeError("Must be between 1 and 3600 seconds")
    return seconds


class Command(BaseCommand):
    help = ("Run background jobs. Each running job holds a lease that this worker renews; "
            "a job whose worker died is run again by another. Never reloads on code changes: "
            "stopping its process stops it (SIGTERM finishes the current job first).\n\n"
            "Example: rankfile worker --interval 0.5")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME,
                            help="Queues to process, comma-separated; '*' for all "
                                 "(default: %(default)r)")
        parser.add_argument("--exclude-queues", default="",
                            help="Queues to leave alone (with --queue-name='*').")
        parser.add_argument("--interval", default=1, type=valid_interval,
                            help="Seconds to wait when the queue is empty (default: "
                                 "%(default)r)")
        parser.add_argument("--lease", type=valid_lease, default=None,
                            help="Seconds a job's lease lasts without renewal: how soon a "
                                 "job whose worker died runs again (default: "
                                 "JOB_LEASE_SECONDS)")
        parser.add_argument("--batch", action="store_true",
                            help="Run every job ready now, then exit.")
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS,
                            type=valid_backend_name, dest="backend_name",
                            help="The task backend (default: %(default)r)")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay",
                            help="Start at once rather than after a short random delay.")
        parser.add_argument("--max-tasks", default=None, type=valid_max_tasks,
                            help="Exit after running this many jobs.")
        parser.add_argument("--worker-id", type=validate_worker_id, default=None,
                            help="Unique across the workers (default: host, process id and "
                                 "a random part)")

    def handle(self, *, verbosity: int, queue_name: str, exclude_queues: str, interval: float,
               lease: float | None, batch: bool, backend_name: str, startup_delay: bool,
               max_tasks: int | None, worker_id: str | None, **options: Any) -> None:
        # django_tasks_db's logging set-up, so the worker's lines look the same.
        DBWorkerCommand().configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name='*'.")
        worker = Worker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks,
            worker_id=worker_id or new_worker_id(), excluded_queue_names=excluded,
            lease_seconds=lease or settings.JOB_LEASE_SECONDS,
        )
        before = previous_signal_handlers()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for number, handler in before.items():  # called in-process (tests, call_command)
                signal.signal(number, handler)
