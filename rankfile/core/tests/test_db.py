import fcntl
import os

import pytest
from django.db import connection

from rankfile.core.db import serialised_writes


def _try_lock(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_it_does_nothing_on_an_in_memory_or_server_database(db, tmp_path):
    with serialised_writes():
        pass

    assert [] == list(tmp_path.iterdir())


def test_it_holds_a_lock_beside_a_sqlite_file_that_other_writers_queue_on(db, tmp_path,
                                                                           monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the lock exists for SQLite only")
    database = str(tmp_path / "db.sqlite3")
    monkeypatch.setitem(connection.settings_dict, "NAME", database)

    with serialised_writes():
        held = not _try_lock(database + ".writelock")

    assert held
    assert _try_lock(database + ".writelock")
