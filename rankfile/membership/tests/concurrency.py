"""Running a piece of work from several connections at the same moment (PostgreSQL only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection, connections

T = TypeVar("T")


def at_once(work: Callable[[], T], times: int = 2) -> list[T]:
    """Run ``work`` in ``times`` threads released together; their answers, in no order.

    Skips the test on SQLite, whose single writer cannot race. Use it in a test
    marked ``django_db(transaction=True)``, so the threads see committed rows.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (PostgreSQL)")
    start = threading.Barrier(times)
    answers: list[T] = []

    def worker() -> None:
        try:
            start.wait()
            answers.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers
