"""Forcing a race: one transaction held open while a second request runs into it.

Real transactions on PostgreSQL (SQLite lets one writer in at a time, so
there is no race to force). The first request runs in a thread, inside a
transaction that stays open until the test releases it; the second runs in
another thread, and the test waits until PostgreSQL reports it waiting on a
lock (or finished, if it took none) before letting the first commit. So the
order is fixed: second arrives, first commits, second carries on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: SQLite lets one writer in at a time",
)


class Request(threading.Thread):
    """``work`` in a thread with its own database connection; keeps its result or error.

    With ``hold``, the work runs in a transaction that commits only once
    ``release()`` is called.
    """

    def __init__(self, work: Callable[[], Any], *, hold: bool = False) -> None:
        super().__init__(daemon=True)
        self.work, self.hold = work, hold
        self.result: Any = None
        self.error: Exception | None = None
        self.done_work = threading.Event()
        self._release = threading.Event()

    def run(self) -> None:
        try:
            if self.hold:
                with transaction.atomic():
                    self.result = self.work()
                    self.done_work.set()
                    self._release.wait(timeout=60)
            else:
                self.result = self.work()
        except Exception as e:  # the test asserts on it
            self.error = e
        finally:
            self.done_work.set()
            connections.close_all()

    def release(self) -> None:
        self._release.set()


def waiting_on_a_lock() -> int:
    """How many other sessions on this database wait for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Request, Request]:
    """Run ``first`` in a transaction held open, then ``second`` until it waits on
    ``first``'s locks; then commit ``first`` and let ``second`` finish.

    Returns:
        The two requests, finished, with their ``result`` or ``error``.
    """
    one = Request(first, hold=True)
    one.start()
    if not one.done_work.wait(timeout=60):
        raise AssertionError("the first request did not finish its work")
    if one.error is not None:
        one.release()
        one.join()
        raise AssertionError("the first request failed") from one.error
    two = Request(second)
    two.start()
    # Wait until the second is blocked behind the first (or has finished
    # without blocking: then the assertions on the outcome say what went wrong).
    for _ in range(6000):
        if not two.is_alive() or waiting_on_a_lock():
            break
        two.join(timeout=0.01)
    one.release()
    one.join(timeout=60)
    two.join(timeout=60)
    assert not one.is_alive() and not two.is_alive(), "a request is stuck"
    if one.error is not None:
        raise AssertionError("the first request failed on commit") from one.error
    return one, two
