"""Real processes for tests: a database they share with the test, and workers to kill.

``shared_database`` gives the environment in which another process sees this
test's database: on PostgreSQL the test database itself (the test must not
run in a transaction: ``django_db(transaction=True)``); on SQLite, whose test
database lives in this process's memory, a copy in a file, which this test's
connection then uses until the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connections

ROOT = Path(__file__).resolve().parents[3]


def database_url(settings_dict: dict[str, object]) -> str:
    """A ``DATABASE_URL`` that ``dj_database_url`` turns back into ``settings_dict``."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(str(settings_dict.get("USER") or ""))
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{quote(str(password))}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def shared_database(folder: Path) -> Iterator[str]:
    """This test's database as a ``DATABASE_URL`` another process can open."""
    original = connections["default"]
    if original.vendor != "sqlite" or not original.is_in_memory_db():  # type: ignore[attr-defined]
        yield database_url(original.settings_dict)
        return
    path = folder / "shared.sqlite3"
    original.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        original.connection.backup(copy)
    wrapper = type(original)({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = wrapper
    try:
        yield database_url(wrapper.settings_dict)
    finally:
        wrapper.close()
        connections["default"] = original


def django_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="rankfile.settings",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]), **extra)
    return env


def start_worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """``rankfile worker`` in a process of its own, its output in ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "rankfile.cli", "worker", "--interval", "0.1",
             "--no-startup-delay", *args],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition: Callable[[], object], *, seconds: float = 60,
               what: str = "the condition") -> None:
    """Poll ``condition`` until it is true; fail after ``seconds`` (of the real clock)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what} after {seconds} s.")
        time.sleep(0.05)
