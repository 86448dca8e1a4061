"""The fault benchmark, small: one kill -9 of an app worker and of a job worker.

bench/faults/run is the full version (2,000 joins, several kills of each);
this runs it with 100 joins on the suite's database (SQLite or PostgreSQL),
in well under a minute. Deselect it with ``-m 'not processes'``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from rankfile.core.tests.processes import shared_database

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.processes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nothing_acknowledged_is_lost_and_no_email_is_missing_when_workers_die(tmp_path):
    out = tmp_path / "figures.json"
    with shared_database(tmp_path) as url:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "faults" / "faults.py"), "--database-url", url,
             "--joins", "100", "--clients", "4", "--app-kills", "1", "--job-kills", "1",
             "--lease", "2", "--drain-timeout", "90", "--port", str(free_port()),
             "--smtp-port", str(free_port()), "--json", str(out)],
            capture_output=True, text=True, timeout=240, cwd=ROOT)
    figures = json.loads(out.read_text()) if out.exists() else {}

    assert 0 == done.returncode, done.stdout + done.stderr
    assert (100, 100, 0, 0) == (figures["acknowledged"], figures["stored"], figures["lost"],
                                figures["doubled"])
    assert (1, 1) == (figures["app_kills"], figures["job_kills"])
    assert 0 == figures["emails_never"]
    assert figures["emails_once"] + figures["emails_twice"] == figures["emails_expected"] >= 100
    assert figures["emails_twice"] <= figures["job_kills"]
