"""Database helpers that hold for every backend."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def serialised_writes() -> Iterator[None]:
    """Queue this process's write transaction behind other processes' on SQLite.

    SQLite lets one writer in at a time and makes the others poll with growing
    sleeps (its busy handler), so under a surge most of the time goes to
    sleeping. An exclusive ``flock`` on a file beside the database makes the
    next writer wake the moment the lock is released. On other databases this
    does nothing. Wrap the whole ``transaction.atomic()`` block, and keep the
    work inside it short.
    """
    if connection.vendor != "sqlite":
        yield
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        yield
        return
    fd = os.open(name + ".writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
