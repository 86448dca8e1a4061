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


# What job_row copies: the backend's row as django-tasks-db 0.13.0 defines it
# (name, field class, null, default, auto_now_add), and its save receivers.
# A new version changing either fails here: read its enqueue() and signal
# handlers, bring job_row level with them, then record them anew.
RECORDED_FIELDS = [
    ("id", "UUIDField", False, "uuid.uuid4", False),
    ("status", "CharField", False, "READY", False),
    ("enqueued_at", "DateTimeField", False, None, True),
    ("started_at", "DateTimeField", True, None, False),
    ("finished_at", "DateTimeField", True, None, False),
    ("args_kwargs", "JSONField", False, None, False),
    ("priority", "IntegerField", False, "0", False),
    ("task_path", "TextField", False, None, False),
    ("worker_ids", "JSONField", False, "builtins.list", False),
    ("queue_name", "CharField", False, "default", False),
    ("backend_name", "CharField", False, None, False),
    ("run_after", "DateTimeField", False, None, False),
    ("return_value", "JSONField", True, "None", False),
    ("exception_class_path", "TextField", False, None, False),
    ("traceback", "TextField", False, None, False),
]
RECORDED_RECEIVERS = ["django_tasks_db.signal_handlers.set_run_after"]
PINS = {"django-tasks": "0.12.0", "django-tasks-db": "0.13.0"}


def _default(field) -> str | None:
    if not field.has_default():
        return None
    if callable(field.default):
        return f"{field.default.__module__}.{field.default.__qualname__}"
    return str(field.default)


def test_the_backend_row_is_the_one_job_row_copies():
    from rankfile.core.checks import _save_receivers
    from rankfile.core.tasks import BACKEND_RECEIVERS

    fields = [(f.name, type(f).__name__, f.null, _default(f), getattr(f, "auto_now_add", False))
              for f in DBTaskResult._meta.concrete_fields]

    assert RECORDED_FIELDS == fields
    assert RECORDED_RECEIVERS == _save_receivers(DBTaskResult) == list(BACKEND_RECEIVERS)


def test_the_task_packages_are_pinned_to_the_versions_recorded():
    import re
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    locks = {lock.name: lock.read_text() for lock in (root / "requirements").glob("*.lock")}

    for package, pinned in PINS.items():
        assert f"{package}=={pinned}" in declared
        for name, lock in locks.items():
            assert re.search(rf"^{re.escape(package)}=={re.escape(pinned)}$", lock, re.M), name
        assert pinned == version(package)
