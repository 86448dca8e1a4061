"""Enqueueing background jobs on the hot path of a surge.

``job_row(task, **kwargs)`` gives the row that ``task.enqueue(**kwargs)``
would write on the database backend (``django_tasks_db``, what Rank & File
runs), unsaved, for the caller to write together with its own rows through
``core.db.insert_together``. The backend's ``enqueue`` saves the row through
the full ORM, then builds a result object and sends a signal that only logs:
together as much as a sign-up's four other rows.

``rankfile/core/tests/test_tasks.py`` checks the row against the one the
backend writes itself, and that the worker runs it.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from rankfile.core.db import allow_fast_path

# The backend's pre_save receiver, whose work job_row does (run_after).
BACKEND_RECEIVERS = ("django_tasks_db.signal_handlers.set_run_after",)


def allow_job_rows() -> None:
    """Declare the backend's row fit for ``insert_together`` (from ``CoreConfig.ready``)."""
    allow_fast_path(DBTaskResult, receivers=BACKEND_RECEIVERS)


def job_row(task: Task[Any, Any], /, **kwargs: Any) -> DBTaskResult | None:
    """The unsaved row that enqueues ``task`` with keyword arguments.

    Write it with ``core.db.insert_together``, together with the change that
    needs the job. None means the backend is not the database one (or has its
    own id function): then call ``task.enqueue`` in that change's transaction.
    """
    backend = task.get_backend()
    if type(backend) is not DatabaseBackend or backend.options.get("id_function"):
        return None
    backend.validate_task(task)
    return DBTaskResult(
        args_kwargs=normalize_json({"args": [], "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the backend's pre_save receiver does (BACKEND_RECEIVERS), as
        # insert_together sends no signals.
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    )

