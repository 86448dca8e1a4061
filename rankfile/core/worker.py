"""The background worker: django_tasks_db's loop, with a lease on every running job.

django_tasks_db's own ``db_worker`` marks a job RUNNING and nothing else: if
its process is killed, the job stays RUNNING for ever and whatever it was to do
(a confirmation e-mail) never happens. Here a worker claims a job and writes a
``JobLease`` in the same transaction, renews the lease from a heartbeat thread
while the job runs, and records the job's end only while it still holds the
lease. Before it looks for work, every worker puts back in the queue the jobs
whose lease expired: their worker died, and another one runs them again.

So a job may start more than once, and finishes (is recorded) once: jobs must
be safe to run twice (the outbox makes that true of e-mail). A job that took
its worker down ``JOB_MAX_ATTEMPTS`` times is marked failed rather than run
for ever.

Besides jobs, a worker runs the *sweeps* apps register (``sweep_register``):
work that rows record as due rather than as a job each, such as a sign-up's
confirmation e-mail. A sweep does a batch in one transaction and says how many
it did; the worker runs the sweeps before it looks for a job, and waits only
when neither found anything.

Jobs queued before leases existed run as before; one left RUNNING by a worker
without leases (the stock ``db_worker``) is put back when a worker starts, once
it has run longer than a lease. Do not run the stock ``db_worker`` beside this
one: its jobs have no lease and would be run twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from rankfile.core.models import JobLease

logger = logging.getLogger("rankfile.worker")

LOST_PATH = "rankfile.core.worker.WorkerLost"


class WorkerLost(Exception):
    """The job's worker died (its lease expired) too many times while running it."""


# -- sweeps ------------------------------------------------------------------------------------

Sweep = Callable[[], int]
_SWEEPS: list[Sweep] = []


def sweep_register(sweep: Sweep) -> None:
    """Have every worker run ``sweep`` (from an ``AppConfig.ready``).

    ``sweep()`` does one batch of due work in its own transaction and returns
    how much it did (0: nothing due). It must be safe to run twice and in
    several workers at once: a worker killed half-way leaves the batch due.
    """
    if sweep not in _SWEEPS:
        _SWEEPS.append(sweep)


def sweeps_run() -> int:
    """Run each registered sweep once; how much they did in all.

    A sweep that fails is logged and counts 0: it is tried again next time,
    and the other sweeps and the jobs go on. SQLite busy counts 0 too.
    """
    done = 0
    for sweep in list(_SWEEPS):
        try:
            done += sweep()
        except OperationalError as e:
            if not is_locked_database_exception(e):
                logger.exception("Sweep %s failed.", getattr(sweep, "__qualname__", sweep))
        except Exception:  # noqa: BLE001 - one app's fault must not stop the worker
            logger.exception("Sweep %s failed.", getattr(sweep, "__qualname__", sweep))
    return done


def new_worker_id() -> str:
    """A worker id that says where the worker runs: host, process and a random part."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"[:64]


def lease_renew(*, job_id: uuid.UUID, worker_id: str, seconds: float) -> bool:
    """Extend ``worker_id``'s lease on a job; False if it no longer holds it."""
    until = timezone.now() + dt.timedelta(seconds=seconds)
    return bool(JobLease.objects.filter(job_id=job_id, worker_id=worker_id)
                .update(expires_at=until))


def jobs_recover(*, lease_seconds: float, orphans: bool = False) -> int:
    """Put back in the queue the jobs whose worker died; returns how many.

    A job whose lease expired goes back to READY, or to FAILED once its workers
    died ``JOB_MAX_ATTEMPTS`` times running it (its ``worker_ids`` count the
    claims). With ``orphans``, RUNNING jobs without a lease (claimed by a
    worker without leases) that started more than a lease ago are put back too.
    The worker calls it in the transaction that claims its next job.
    """
    with transaction.atomic():
        return _recover(lease_seconds=lease_seconds, orphans=orphans)


def _recover(*, lease_seconds: float, orphans: bool) -> int:
    now = timezone.now()
    expired = list(JobLease.objects.filter(expires_at__lt=now)
                   .select_for_update(skip_locked=True).values_list("job_id", flat=True))
    jobs = DBTaskResult.objects.running().filter(pk__in=expired)
    if orphans:
        cutoff = now - dt.timedelta(seconds=lease_seconds)
        jobs = jobs | DBTaskResult.objects.running().filter(lease__isnull=True,
                                                             started_at__lt=cutoff)
    back: list[uuid.UUID] = []
    failed: list[uuid.UUID] = []
    for pk, worker_ids in jobs.values_list("pk", "worker_ids"):
        (failed if len(worker_ids) >= settings.JOB_MAX_ATTEMPTS else back).append(pk)
        logger.warning("Job id=%s lost its worker %s; %s.", pk, (worker_ids or ["?"])[-1],
                       "giving up" if pk in failed else "queued again")
    if back:
        DBTaskResult.objects.filter(pk__in=back).update(status=TaskResultStatus.READY)
    if failed:
        DBTaskResult.objects.filter(pk__in=failed).update(
            status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=LOST_PATH,
            traceback=f"{LOST_PATH}: its worker died {settings.JOB_MAX_ATTEMPTS} times while "
                      "running it (killed, or out of memory). Fix the cause, then enqueue "
                      "it again.\n")
    JobLease.objects.filter(job_id__in=expired).delete()
    return len(back) + len(failed)


class _Heartbeat(threading.Thread):
    """Renews a job's lease every third of its length until stopped."""

    def __init__(self, *, job_id: uuid.UUID, worker_id: str, seconds: float) -> None:
        super().__init__(name=f"lease-{job_id}", daemon=True)
        self.job_id, self.worker_id, self.seconds = job_id, worker_id, seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.seconds / 3):
                try:
                    if not lease_renew(job_id=self.job_id, worker_id=self.worker_id,
                                       seconds=self.seconds):
                        logger.warning("Job id=%s: lease lost; its result will not be "
                                       "recorded here.", self.job_id)
                        return
                except DatabaseError:  # e.g. SQLite busy for longer than its timeout
                    logger.warning("Job id=%s: could not renew the lease; trying again.",
                                   self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


class Worker(db_worker.Worker):
    """django_tasks_db's worker, with leases (see the module's docstring)."""

    def __init__(self, *, lease_seconds: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lease_seconds = lease_seconds

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s lease=%ss", self.worker_id,
                    ",".join(self.queue_names), self.lease_seconds)
        if self.startup_delay and self.interval:
            time.sleep(random.random() * self.interval)  # noqa: S311 - spread workers started together
        orphans = True  # once, at start: jobs left by a worker without leases
        while self.running:
            close_old_connections()
            swept = sweeps_run()
            task_result, retrieved = self._claim(orphans=orphans)
            orphans = orphans and not retrieved
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None and not swept:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker_id=%s - exiting.", self._run_tasks,
                            self.worker_id)
                return
            close_old_connections()
            if self.running and task_result is None and not swept:
                time.sleep(self.interval)

    def _claim(self, *, orphans: bool) -> tuple[DBTaskResult | None, bool]:
        """Recover lost jobs, then claim the next one under a lease (one transaction)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                jobs_recover(lease_seconds=self.lease_seconds, orphans=orphans)
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                    JobLease.objects.filter(job=task_result).delete()
                    JobLease.objects.create(
                        job=task_result, worker_id=self.worker_id,
                        expires_at=timezone.now() + dt.timedelta(seconds=self.lease_seconds))
        except OperationalError as e:
            if is_locked_database_exception(e):  # SQLite busy: try again next time
                return None, False
            raise
        return task_result, True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed job with its lease renewed, and record its end if still held."""
        heartbeat = _Heartbeat(job_id=db_task_result.pk, worker_id=self.worker_id,
                               seconds=self.lease_seconds)
        heartbeat.start()
        error: BaseException | None = None
        value: Any = None
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args,
                                  **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
        except (KeyboardInterrupt, SystemExit):
            # Forced to stop (a second Ctrl-C): the job did not finish, so it goes back.
            heartbeat.stopped.set()
            self._give_back(db_task_result)
            raise
        except BaseException as e:  # noqa: BLE001 - the job's failure is recorded, as db_worker does
            error = e
        finally:
            heartbeat.stopped.set()
            heartbeat.join()
            self.running_task = False
            self._run_tasks += 1
        if self._record(db_task_result, error, value):
            try:
                task_finished.send(sender=type(db_task_result.task.get_backend()),
                                   task_result=db_task_result.task_result)
            except Exception:  # noqa: BLE001 - a listener's fault is not the job's
                logger.exception("Job id=%s: a task_finished receiver failed.",
                                 db_task_result.pk)

    def _record(self, db_task_result: DBTaskResult, error: BaseException | None,
                value: Any) -> bool:
        with transaction.atomic():
            held = JobLease.objects.filter(job_id=db_task_result.pk,
                                           worker_id=self.worker_id).delete()[0]
            if not held:
                logger.warning("Job id=%s ended on worker_id=%s after its lease expired; "
                               "another worker runs it, so this result is not recorded.",
                               db_task_result.pk, self.worker_id)
                return False
            if error is None:
                try:
                    with transaction.atomic():
                        db_task_result.set_successful(value)
                except Exception as e:  # noqa: BLE001 - e.g. a return value JSON cannot hold
                    error = e
            if error is not None:
                db_task_result.set_failed(error)
        return True

    def _give_back(self, db_task_result: DBTaskResult) -> None:
        try:
            with transaction.atomic():
                if JobLease.objects.filter(job_id=db_task_result.pk,
                                           worker_id=self.worker_id).delete()[0]:
                    DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                        status=TaskResultStatus.READY)
        except DatabaseError:  # its lease expires and another worker takes it
            logger.exception("Job id=%s: could not put it back.", db_task_result.pk)


def previous_signal_handlers() -> dict[int, Any]:
    """The handlers ``Worker.configure_signals`` replaces, to put back after an in-process run."""
    wanted = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGQUIT] if hasattr(signal, "SIGQUIT")
                                                 else [])
    return {s: signal.getsignal(s) for s in wanted}
