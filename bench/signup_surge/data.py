"""The Django side of the sign-up surge benchmark, run by ``surge.py`` in a subprocess.

Usage: python data.py offers | check REFS_DIR | top-up N | time-stats | compare-paths N
(with DATABASE_URL and the other settings in the environment).
Each command prints one JSON object on its last line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from rankfile.accounts.models import User  # noqa: E402
from rankfile.membership.models import (  # noqa: E402
    AffiliatedUnion,
    Category,
    JoiningWindow,
    Membership,
    Rate,
)


def offers() -> dict:
    """The three categories, a member rate, a union and the supporters' 48-hour £25 window."""
    now = timezone.now()
    member, _ = Category.objects.get_or_create(
        kind="member", defaults={"name": "Member", "minimum_age": 14,
                                 "may_vote_in_meetings": True, "may_hold_office": True})
    Category.objects.get_or_create(
        kind="affiliated_supporter", defaults={"name": "Affiliated supporter", "minimum_age": 16})
    supporter, _ = Category.objects.get_or_create(
        kind="registered_supporter",
        defaults={"name": "Registered supporter", "minimum_age": 18, "needs_window": True})
    Rate.objects.get_or_create(category=member, code="standard",
                               defaults={"name": "Standard", "amount_pence": 450})
    AffiliatedUnion.objects.get_or_create(code="unite", defaults={"name": "Unite"})
    JoiningWindow.objects.get_or_create(
        category=supporter, name="the surge window",
        defaults={"opens_at": now - dt.timedelta(hours=1),
                  "closes_at": now + dt.timedelta(hours=47), "fee_pence": 2500})
    return {"categories": Category.objects.count()}


def check(refs_dir: str) -> dict:
    """Compare the references the load generator got success answers for with the database."""
    acknowledged: list[str] = []
    for path in sorted(Path(refs_dir).glob("refs-*.txt")):
        acknowledged += [line.strip() for line in path.read_text().splitlines() if line.strip()]
    stored = set(
        Membership.objects.filter(idempotency_key__startswith="bench-")
        .values_list("reference", flat=True)
    )
    unique = set(acknowledged)
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_twice": len(acknowledged) - len(unique),
        "stored": len(stored),
        "lost": len(unique - stored),
        "stored_unacknowledged": len(stored - unique),
        "keys_stored_twice": (
            Membership.objects.filter(idempotency_key__startswith="bench-").count()
            - Membership.objects.filter(idempotency_key__startswith="bench-")
            .values("idempotency_key").distinct().count()
        ),
    }


def top_up(total: int) -> dict:
    """Add plain rows until there are ``total`` memberships: the stats' 500,000 people.

    Written by one INSERT ... SELECT over a generated series, not through the
    joining service: only the counts matter here. Categories and statuses are
    spread roughly as in 2016 (mostly active members); a fifth of the rows fall
    within the last two days, so the hourly chart has work to do.
    """
    have = Membership.objects.count()
    missing = max(0, total - have)
    kinds = dict(Category.objects.values_list("kind", "pk"))
    holder, _ = User.objects.get_or_create(email="bench-holder@bench.invalid")
    now = timezone.now()
    statuses = ["active"] * 8 + ["applied", "in_arrears", "lapsed", "expired", "resigned"]
    status_case = "CASE n %% 13 " + " ".join(
        f"WHEN {i} THEN '{st}'" for i, st in enumerate(statuses)) + " END"
    category_case = (f"CASE WHEN n %% 20 < 11 THEN {kinds['member']} "
                     f"WHEN n %% 20 < 17 THEN {kinds['registered_supporter']} "
                     f"ELSE {kinds['affiliated_supporter']} END")
    ago = "CASE WHEN n %% 5 = 0 THEN (n * 7919) %% 172800 ELSE 259200 + (n * 104729) %% 259200000 END"
    if connection.vendor == "sqlite":
        series = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s)"
        applied = f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, '-' || ({ago}) || ' seconds')"
        reference = "'RF-B' || printf('%%08d', n)"
        name = "'Person ' || n"
        now_param = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    else:
        series = "WITH s(n) AS (SELECT generate_series(1::bigint, %s::bigint))"
        applied = f"(%s::timestamptz - make_interval(secs => ({ago})))"
        reference = "'RF-B' || lpad(n::text, 8, '0')"
        name = "'Person ' || n"
        now_param = now
    table = Membership._meta.db_table
    sql = (
        f"{series} INSERT INTO {table} (reference, user_id, category_id, status, first_name, "
        "last_name, date_of_birth, address, postcode, needs_placement, union_number, "
        "fee_pence, applied_at, consent_version, consent_at, request_fingerprint, "
        "email_confirmed_at, vetting, confirmation_due) "
        f"SELECT {reference}, %s, {category_case}, {status_case}, 'Bench', {name}, "
        f"'1970-01-01', '', 'E4 7AA', false, '', 0, {applied}, '2026-11', {applied}, '', "
        # Nine in ten confirmed their address: the counters count those by status.
        f"CASE WHEN n %% 10 = 0 THEN NULL ELSE {applied} END, %s, false FROM s"
    )
    vetting = Membership._meta.get_field("vetting").get_default()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [missing, holder.pk, now_param, now_param, now_param, vetting])
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql"
                       else "ANALYZE")
    return {"added": missing, "total": Membership.objects.count(),
            "seconds": round(time.perf_counter() - started, 1)}


def time_stats(rounds: int = 15) -> dict:
    """Milliseconds to recompute the figures in-process (no cache, no HTTP)."""
    from rankfile.membership.stats import stats_compute

    stats_compute()  # warm the page cache of the database
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        figures = stats_compute()
        times.append((time.perf_counter() - started) * 1000)
    return {"people": figures["totals"]["people"], "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1)}


def compare_paths(signups: int, block: int = 100) -> dict:
    """``membership_apply`` in-process, through the fast path and the ORM path in turn.

    Blocks of ``block`` sign-ups alternate between the paths, so that a change
    in the machine's load falls on both alike. CPU is this process's
    (``time.process_time``: the database server's share on PostgreSQL is not in
    it); wall time includes the database's.
    """
    from django.test.utils import override_settings

    from rankfile.branches.models import Postcode
    from rankfile.membership.services.joining import JoinData, membership_apply

    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    cpu = {"fast": 0.0, "orm": 0.0}
    wall = {"fast": 0.0, "orm": 0.0}
    done = {"fast": 0, "orm": 0}
    n = 0
    while sum(done.values()) < 2 * signups:
        for path in ("fast", "orm"):
            with override_settings(JOIN_WRITE_PATH=path):
                started_cpu, started = time.process_time(), time.perf_counter()
                for _ in range(min(block, signups - done[path])):
                    n += 1
                    membership_apply(data=JoinData(
                        category="registered_supporter", first_name=f"Path{n}",
                        last_name="Joiner", email=f"p{n}-{path}@bench.invalid",
                        postcode=postcodes[n % len(postcodes)],
                        date_of_birth=dt.date(1980, 1, 1 + n % 28), consent=True,
                    ), idempotency_key=f"paths-{n}")
                    done[path] += 1
                cpu[path] += time.process_time() - started_cpu
                wall[path] += time.perf_counter() - started
    return {path: {"signups": done[path],
                   "cpu_ms": round(cpu[path] * 1000 / done[path], 3),
                   "wall_ms": round(wall[path] * 1000 / done[path], 3)}
            for path in ("fast", "orm")}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "offers":
        result = offers()
    elif command == "check":
        result = check(args[0])
    elif command == "top-up":
        result = top_up(int(args[0]))
    elif command == "time-stats":
        result = time_stats()
    elif command == "compare-paths":
        result = compare_paths(int(args[0]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))
