"""Live public counters: people by category and status, and sign-ups per hour.

``stats_get`` serves the figures from the cache for ``settings.STATS_CACHE_SECONDS``
and recomputes them with one SQL statement, so every figure comes from the same
snapshot of the database. During a surge only one
request per cache recomputes; the others keep answering with the previous
figures meanwhile, so ``as_of`` is never older than the cache time plus one
recompute.

What it counts: every application received, a known address's included (a
``RepeatApplication``), so that applying with a known address and with a new
one moves the public figures alike; and people by category and status only
once they have confirmed their address, which only the address's owner can do.

How it counts: one COUNT per (category, status) pair over the (category,
status) index and one per hour over the ``applied_at`` index, all in one
statement. Stepping through index entries is several times cheaper than a
GROUP BY's aggregation (on SQLite with 500,000 people: about 30 ms against
130 ms; see bench/RESULTS.md). No counter table: a counter row updated by
every sign-up would serialise the surge's transactions on PostgreSQL, and
every status change elsewhere would have to remember to update it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from rankfile.membership.models import Category, JoiningWindow, Membership, RepeatApplication
from rankfile.membership.services.status import ENDED, GOOD_STANDING

CACHE_KEY = "stats:v3"  # v3: applications received; people once confirmed
LOCK_KEY = "stats:v3:lock"
# The chart shows at most this many hours of the most recent window.
MAX_HOURS = 72
# Without any joining window, the chart shows the last two days.
DEFAULT_HOURS = 48

UTC = dt.UTC


def _chart_range(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, JoiningWindow | None]:
    """The hours the chart covers: the most recent window that has opened, up to now."""
    window = JoiningWindow.objects.filter(opens_at__lte=now).order_by("-opens_at").first()
    end = now if window is None else min(now, window.closes_at)
    end_hour = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if window is None:
        start_hour = end_hour - dt.timedelta(hours=DEFAULT_HOURS - 1)
    else:
        start_hour = window.opens_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        start_hour = max(start_hour, end_hour - dt.timedelta(hours=MAX_HOURS - 1))
    return start_hour, end_hour, window


def stats_compute(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Count everyone now, in one statement (one snapshot). Uncached; see ``stats_get``."""
    now = now or timezone.now()
    start_hour, end_hour, window = _chart_range(now)
    kinds = dict(Category.objects.values_list("pk", "kind"))
    statuses = [s.value for s in Membership.Status]
    pairs = [(pk, status) for pk in kinds for status in statuses]
    starts = []
    hour = start_hour
    while hour <= end_hour:
        starts.append(hour)
        hour += dt.timedelta(hours=1)

    # One index range count per (category, status) and per hour, in one
    # statement: counting index entries is several times cheaper than a
    # GROUP BY's aggregation, and one statement reads one snapshot.
    table = Membership._meta.db_table
    repeats = RepeatApplication._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    parts = []
    if pairs:
        params += [v for pair in pairs for v in pair]
        parts.append(
            f"SELECT 'c', c.a, c.b, (SELECT COUNT(*) FROM {table} m "
            f"WHERE m.category_id = c.a AND m.status = c.b "
            f"AND m.email_confirmed_at IS NOT NULL) FROM c"
        )
    if kinds:
        params += list(kinds)
        parts.append(
            f"SELECT 'a', k.a, NULL, (SELECT COUNT(*) FROM {table} m WHERE m.category_id = k.a)"
            f" + (SELECT COUNT(*) FROM {repeats} r WHERE r.category_id = k.a) FROM k"
        )
    params += [v for n, start in enumerate(starts)
               for v in (n, adapt(start), adapt(start + dt.timedelta(hours=1)))]
    parts.append(
        f"SELECT 'h', h.i, NULL, (SELECT COUNT(*) FROM {table} m "
        f"WHERE m.applied_at >= h.s AND m.applied_at < h.e) + (SELECT COUNT(*) FROM {repeats} r "
        f"WHERE r.applied_at >= h.s AND r.applied_at < h.e) FROM h"
    )
    ctes = []
    if pairs:
        ctes.append("c(a, b) AS (VALUES " + ", ".join(["(%s, %s)"] * len(pairs)) + ")")
    if kinds:
        ctes.append("k(a) AS (VALUES " + ", ".join(["(%s)"] * len(kinds)) + ")")
    ctes.append("h(i, s, e) AS (VALUES " + ", ".join(["(%s, %s, %s)"] * len(starts)) + ")")
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        as_of = timezone.now()
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    by_category: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(statuses, 0) for kind in Category.Kind.values
    }
    per_hour = [0] * len(starts)
    received = dict.fromkeys(Category.Kind.values, 0)
    for part, number, status, count in rows:
        if part == "a":
            received[kinds[number]] = count
        elif part == "c":
            by_category.setdefault(kinds[number], dict.fromkeys(statuses, 0))[status] = count
        else:
            per_hour[number] = count
    hours = [
        {"hour": start.isoformat().replace("+00:00", "Z"), "count": count}
        for start, count in zip(starts, per_hour, strict=True)
    ]

    by_status = dict.fromkeys(statuses, 0)
    for counts in by_category.values():
        for status, n in counts.items():
            by_status[status] = by_status.get(status, 0) + n
    return {
        "as_of": as_of.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "applications_received": {"total": sum(received.values()), "by_category": received},
        "by_category": by_category,
        "totals": {
            "people": sum(by_status.values()),
            "in_good_standing": sum(by_status[s] for s in GOOD_STANDING),
            "ended": sum(by_status[s] for s in ENDED),
            "by_category": {kind: sum(c.values()) for kind, c in by_category.items()},
            "by_status": by_status,
        },
        "window": None if window is None else {
            "name": window.name,
            "category": kinds.get(window.category_id, ""),
            "opens_at": window.opens_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "closes_at": window.closes_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        },
        "signups_per_hour": hours,
    }


def _cached() -> tuple[float, bytes] | None:
    entry = cache.get(CACHE_KEY)
    return entry if isinstance(entry, tuple) else None


def stats_get_json() -> tuple[bytes, float]:
    """The figures as JSON bytes, and their age in seconds.

    Fresh figures come from the cache. When they are stale, one caller takes a
    short lock (``cache.add``) and recomputes; callers that find the lock taken
    answer with the previous figures rather than piling onto the database.
    """
    ttl = settings.STATS_CACHE_SECONDS
    entry = _cached()
    now = time.time()
    if entry is not None and now - entry[0] < ttl:
        return entry[1], now - entry[0]
    if entry is not None and not cache.add(LOCK_KEY, 1, timeout=max(2, ttl)):
        return entry[1], now - entry[0]
    try:
        computed_at = time.time()
        body = json.dumps(stats_compute(), separators=(",", ":")).encode()
        # Keep a stale copy well past the ttl, for callers that find the lock taken.
        cache.set(CACHE_KEY, (computed_at, body), timeout=max(60, ttl * 12))
    finally:
        cache.delete(LOCK_KEY)
    return body, time.time() - computed_at


def stats_get() -> dict[str, Any]:
    """The public figures (see ``stats_compute``), at most a few seconds old."""
    body, _ = stats_get_json()
    return json.loads(body)


def stats_clear() -> None:
    """Forget the cached figures (tests and the benchmark's recompute measurement)."""
    cache.delete_many([CACHE_KEY, LOCK_KEY])
