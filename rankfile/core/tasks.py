"""Enqueueing background jobs on the hot path of a surge.

``enqueue(task, **kwargs)`` does what ``task.enqueue(**kwargs)`` does. On the
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

from rankfile.core.db import insert_new


def enqueue(task: Task[Any, Any], /, **kwargs: Any) -> None:
    """Enqueue ``task`` with keyword arguments, inside the caller's transaction."""
    backend = task.get_backend()
    if type(backend) is not DatabaseBackend or backend.options.get("id_function"):
        task.enqueue(**kwargs)
        return
    backend.validate_task(task)
    insert_new(DBTaskResult(
        args_kwargs=normalize_json({"args": [], "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the backend's pre_save handler does, as insert_new sends no signals.
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    ))
