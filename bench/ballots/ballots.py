"""Ballot benchmark: an election's roll, codes, casting and count on a fresh database.

In a fresh PostgreSQL database it makes N members, then times, through the
elections services: drawing and freezing the roll; issuing N codes (made,
HMACs stored, mail queued in the outbox, as the job does); casting a ballot
with each code from T threads (ballots a second and latency percentiles),
beside a bare one-row insert from the same threads in the same run; closing
(the box written again), counting and publishing. Then it checks that every
acknowledged tracker is on the bulletin exactly once. Prints the figures and
writes them to bench/ballots/last.json.

This measures the services in one process, not HTTP: issue 10 asks for the
casting rate through gunicorn under wrk at 32 connections, which is not
measured here yet.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
from env import django_env, machine  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CODE = re.compile(r"\b[A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}\b")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def hammer(work: list[object], threads: int, act: object) -> tuple[float, list[float], list]:
    """Run ``act(item)`` for every item from ``threads`` threads; seconds, latencies, results."""
    from django.db import connections

    lock = threading.Lock()
    items = iter(work)
    latencies: list[float] = []
    results: list[object] = []

    def run() -> None:
        try:
            while True:
                with lock:
                    item = next(items, None)
                if item is None:
                    return
                started = time.perf_counter()
                result = act(item)  # type: ignore[operator]
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    results.append(result)
        finally:
            connections.close_all()

    started = time.perf_counter()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started, latencies, results


def bench(voters: int, threads: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from rankfile.accounts.models import Role, User
    from rankfile.branches.models import Body
    from rankfile.elections.models import Ballot, Election
    from rankfile.elections.services.casting import ballot_cast_with_credential
    from rankfile.elections.services.count import election_count, election_publish
    from rankfile.elections.services.credentials import credentials_send
    from rankfile.elections.services.roll import roll_evaluate, roll_freeze, roll_rules_set
    from rankfile.elections.services.setup import (
        candidate_add,
        election_close,
        election_create,
        election_open,
    )
    from rankfile.membership.models import Category, Membership
    from rankfile.outbox.models import OutboxMessage

    figures: dict = {"voters": voters, "threads": threads}
    now = timezone.now()
    org = Body.objects.create(kind=Body.Kind.ORGANISATION, name="Bench Party", code="ORG")
    category = Category.objects.create(kind=Category.Kind.MEMBER, name="Member")
    officer = User.objects.create_user("ro@bench.invalid", "x")
    Role.objects.create(user=officer, kind=Role.Kind.RETURNING_OFFICER, body=org,
                        starts_on=dt.date(2000, 1, 1))
    log(f"making {voters:,} members")
    for start in range(0, voters, 10_000):
        users = User.objects.bulk_create([
            User(email=f"voter{i}@bench.invalid", password="!") for i in
            range(start, min(voters, start + 10_000))])
        Membership.objects.bulk_create([Membership(
            reference=f"RF-{u.pk:08d}", user=u, category=category, status="active",
            first_name="V", last_name="Oter", date_of_birth=dt.date(1980, 1, 1),
            postcode="E4 7AA", applied_at=now, joined_on=dt.date(2010, 1, 1),
            good_standing_since=dt.date(2010, 1, 1), consent_version="b", consent_at=now)
            for u in users])
    election = election_create(by=officer, body=org, slug="leader", title="Leader",
                               sections=["member"])
    for name in ("Ann", "Bea", "Cal", "Dee"):
        candidate_add(by=officer, election=election, name=name)
    roll_rules_set(by=officer, election=election, rules={
        "categories": ["member"], "freeze_date": "2016-01-12", "min_age": 16})

    started = time.perf_counter()
    roll_evaluate(by=officer, election=election)
    roll_freeze(by=officer, election=election)
    figures["roll_draw_and_freeze_s"] = round(time.perf_counter() - started, 1)
    log(f"roll drawn and frozen in {figures['roll_draw_and_freeze_s']} s")
    election_open(by=officer, election=election)

    started = time.perf_counter()
    issued = credentials_send(election_id=election.pk)
    figures["credentials_issue_s"] = round(time.perf_counter() - started, 1)
    log(f"{issued:,} codes made, HMACs stored, mail queued in "
        f"{figures['credentials_issue_s']} s")
    codes = [m.group(0) for body in OutboxMessage.objects.values_list("body", flat=True)
             if (m := CODE.search(body))]
    ids = list(election.candidates.values_list("pk", flat=True))

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare (id uuid PRIMARY KEY, body text)")
    import uuid

    def bare(i: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_bare VALUES (%s, %s)", [uuid.uuid4(), "x"])

    seconds, latencies, _ = hammer(list(range(len(codes))), threads, bare)
    figures["bare_insert_per_s"] = round(len(codes) / seconds)
    figures["bare_insert_p99_ms"] = round(percentile(latencies, 0.99) * 1000, 1)

    def cast(code: object) -> str:
        ranking = ids[: 1 + hash(code) % 4]
        return ballot_cast_with_credential(election=election, credential=code,
                                           ranking=ranking).tracker

    seconds, latencies, trackers = hammer(codes, threads, cast)
    figures["cast_per_s"] = round(len(codes) / seconds)
    figures["cast_p50_ms"] = round(percentile(latencies, 0.50) * 1000, 1)
    figures["cast_p99_ms"] = round(percentile(latencies, 0.99) * 1000, 1)
    figures["cast_vs_bare"] = round(figures["bare_insert_per_s"] / figures["cast_per_s"], 2)
    log(f"cast {len(codes):,} ballots: {figures['cast_per_s']}/s, p99 "
        f"{figures['cast_p99_ms']} ms (bare insert {figures['bare_insert_per_s']}/s)")

    started = time.perf_counter()
    election_close(by=officer, election=election)
    figures["close_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    election = election_publish(by=officer, election=election_count(by=officer,
                                                                      election=election))
    figures["count_and_publish_s"] = round(time.perf_counter() - started, 1)
    log(f"closed in {figures['close_s']} s; counted and published in "
        f"{figures['count_and_publish_s']} s")
    on_bulletin = [line.split(",")[0] for line in election.bulletin_csv.splitlines()[1:]]
    figures["trackers_acknowledged"] = len(trackers)
    figures["every_tracker_once"] = (sorted(on_bulletin) == sorted(trackers)
                                     and len(set(on_bulletin)) == len(on_bulletin))
    figures["ballots"] = Ballot.objects.count()
    figures["status"] = Election.objects.get(pk=election.pk).status
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-db", default="rankfile_bench_ballots")
    parser.add_argument("--voters", type=int, default=650_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="20,000 voters")
    parser.add_argument("inner", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.voters = 20_000
    if args.inner == "inner":
        print("FIGURES " + json.dumps(bench(args.voters, args.threads)), flush=True)
        return 0
    url = f"{PG_SERVER}/{args.pg_db}"
    env = django_env({**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                      "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    python = str(ROOT / ".venv" / "bin" / "python")
    for sql in (f"DROP DATABASE IF EXISTS {args.pg_db}", f"CREATE DATABASE {args.pg_db}"):
        subprocess.run([python, "-c", "import psycopg,sys; c=psycopg.connect(sys.argv[1], "
                        "autocommit=True); c.execute(sys.argv[2])", f"{PG_SERVER}/postgres",
                        sql], check=True, env=env)
    subprocess.run([python, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
                   check=True, env=env)
    inner = subprocess.run([python, __file__, "inner", "--voters", str(args.voters),
                            "--threads", str(args.threads)], env=env, check=True,
                           capture_output=True, text=True)
    sys.stderr.write(inner.stderr)
    out = [line for line in inner.stdout.splitlines() if not line.startswith("FIGURES ")]
    print("\n".join(out))
    figures = json.loads(next(line for line in inner.stdout.splitlines()
                              if line.startswith("FIGURES "))[8:])
    figures["machine"] = machine()
    figures["date"] = time.strftime("%Y-%m-%d")
    (HERE / "last.json").write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
