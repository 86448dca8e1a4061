"""Enqueueing background jobs on the hot path of a surge.

``enqueue(task, **kwargs)`` does what ``task.enqueue(**kwargs)`` does, and
``job_rows`` gives the row for the caller to write with its own. On the
database backend (``django_tasks_db``, what Rank & File runs) it writes the
job's row with one prepared INSERT, as the backend's own ``enqueue`` would
write it: the backend's ``enqueue`` builds the row with a full ORM ``create``
and then builds a result object and sends a signal that only logs, which
together cost a sign-up as much as its four other rows. Any other backend, or
a backend configured with its own id function, goes through ``task.enqueue``.

``rankfile/core/tests/test_tasks.py`` checks the row against the one the
backend writes itself, and that ``db_worker`` runs it.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from rankfile.core.db import insert_together


def job_rows(task: Task[Any, Any], /, **kwargs: Any) -> list[DBTaskResult]:
    """The rows that enqueue ``task``, for the caller to write with its own rows.

    Write them with ``core.db.insert_together`` together with the change that
    needs the job. No rows means the backend is not the database one (or has
    its own id function): then call ``task.enqueue`` in that change's transaction.
    """
    backend = task.get_backend()
    if type(backend) is not DatabaseBackend or backend.options.get("id_function"):
        return []
    backend.validate_task(task)
    return [DBTaskResult(
        args_kwargs=normalize_json({"args": [], "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the backend's pre_save handler does, as insert_together sends no signals.
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    )]


def enqueue(task: Task[Any, Any], /, **kwargs: Any) -> None:
    """Enqueue ``task`` with keyword arguments, inside the caller's transaction."""
    rows = job_rows(task, **kwargs)
    if rows:
        insert_together(*rows)
    else:
        task.enqueue(**kwargs)
