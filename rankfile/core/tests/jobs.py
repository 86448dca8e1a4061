"""Jobs for the worker's tests; module-level so that a worker process can import them."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django_tasks import TaskContext, task

from rankfile.core.models import JobLease

SEEN: list[object] = []


@task(takes_context=True)
def look_at_lease(context: TaskContext) -> None:
    """Remember who holds this job's lease while it runs."""
    SEEN.append(list(JobLease.objects.filter(job_id=uuid.UUID(context.task_result.id))
                     .values_list("worker_id", flat=True)))


@task()
def remember(*, value: int) -> None:
    SEEN.append(value)


@task(takes_context=True)
def lose_lease(context: TaskContext) -> None:
    """As if this worker had been presumed dead and another had taken the job."""
    JobLease.objects.filter(job_id=uuid.UUID(context.task_result.id)).update(worker_id="another")


@task()
def stop_now() -> None:
    raise SystemExit(1)


@task(takes_context=True)
def wait_for_renewal(context: TaskContext) -> bool:
    """Wait (at most 10 s) for the heartbeat to move this job's lease on."""
    first = JobLease.objects.get(job_id=uuid.UUID(context.task_result.id)).expires_at
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if JobLease.objects.get(job_id=uuid.UUID(context.task_result.id)).expires_at > first:
            return True
        time.sleep(0.05)
    return False


@task()
def wait_for_gate(*, gate: str, log: str) -> None:
    """Write "start PID" to ``log``, wait for the file ``gate``, then write "done PID"."""
    with open(log, "a") as f:
        f.write(f"start {os.getpid()}\n")
    while not Path(gate).exists():
        time.sleep(0.02)
    with open(log, "a") as f:
        f.write(f"done {os.getpid()}\n")


def run_jobs(limit: int = 1000) -> int:
    """Run the sweeps and the ready jobs in this process, and those they queue, as
    a worker would.

    For tests inside a transaction (the worker itself closes connections).
    Returns how many jobs ran; a job's exception propagates.
    """
    from django_tasks_db.models import DBTaskResult

    from rankfile.core.worker import sweeps_run

    for count in range(limit):
        while sweeps_run():
            pass
        row = DBTaskResult.objects.ready().first()
        if row is None:
            return count
        row.claim("test")
        job, args = row.task, row.args_kwargs
        if job.takes_context:
            value = job.call(TaskContext(task_result=row.task_result),  # type: ignore[arg-type]
                             *args["args"],
                             **args["kwargs"])
        else:
            value = job.call(*args["args"], **args["kwargs"])
        row.set_successful(value)
    raise AssertionError(f"Jobs still queued after running {limit}: does one queue itself?")
