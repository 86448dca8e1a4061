"""The benchmarks' own writers of plain rows, against the suite's database.

``bench/signup_surge/data.py top-up`` writes the counters' 500,000 people with
one INSERT ... SELECT, naming every column: a new column without a default
breaks it, and only a full benchmark run would otherwise notice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rankfile.core.tests.processes import django_env, shared_database

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.processes]


def data(url: str, *args: str) -> dict:
    env = {**django_env(url), "DJANGO_SETTINGS_MODULE": "benchsite.settings"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "signup_surge" / "data.py"),
                           *args], env=env, capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert 0 == done.returncode, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_surge_tops_up_the_people_it_counts(tmp_path, area):
    with shared_database(tmp_path) as url:
        data(url, "offers")
        figures = data(url, "top-up", "40")

    assert (40, 40) == (figures["added"], figures["total"])


def test_the_population_of_the_election_benchmarks_is_written(monkeypatch):
    """``bench/common/population.py`` (bench/ballots, bench/vetting) COPYs its
    people into PostgreSQL, naming every column, as above."""
    from django.db import connection
    from django.utils import timezone

    from rankfile.membership.models import Membership

    if connection.vendor != "postgresql":
        pytest.skip("COPY: PostgreSQL only")
    monkeypatch.syspath_prepend(str(ROOT / "bench" / "common"))
    from population import generate

    generate(connection, people=300, pending=120, variants_each=5, excluded=5,
             exclusion_size=20, now=timezone.now(), log=lambda *_: None)

    assert 300 == Membership.objects.count()
