import datetime as dt
from typing import Any
from uuid import UUID

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from rankfile.core.db import insert_together
from rankfile.core.tasks import job_row

RAN: list[int] = []


@task()
def remember(*, value: int) -> None:
    RAN.append(value)


@task(priority=5)
def remember_later(*, value: int) -> None:
    RAN.append(value)


def _fields(result_id: UUID | str) -> dict[str, object]:
    row = DBTaskResult.objects.get(pk=result_id)
    return {f.name: getattr(row, f.name) for f in DBTaskResult._meta.concrete_fields
            if f.name not in ("id", "enqueued_at")}


def _enqueue(job: Task, **kwargs: Any) -> DBTaskResult:
    row = job_row(job, **kwargs)
    assert row is not None
    insert_together(row)
    return row


@pytest.mark.parametrize("job", [
    remember, remember_later,
    remember.using(run_after=timezone.now() + dt.timedelta(hours=1)),
])
def test_it_writes_the_row_the_backend_writes(db, job):
    by_backend = job.enqueue(value=1).id

    ours = _enqueue(job, value=1)

    assert _fields(by_backend) == _fields(ours.pk)
    assert DBTaskResult.objects.get(pk=ours.pk).enqueued_at is not None


# The worker closes its database connection between jobs: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_what_it_enqueued():
    RAN.clear()
    _enqueue(remember, value=7)
    _enqueue(remember, value=8)

    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert [7, 8] == sorted(RAN)
    assert 2 == DBTaskResult.objects.successful().count()


def test_it_gives_no_row_on_another_backend(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    assert job_row(remember, value=1) is None
