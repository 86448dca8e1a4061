"""Live public counters: people by category and status, and sign-ups per hour.

``stats_get`` serves the figures from the cache for ``settings.STATS_CACHE_SECONDS``
and recomputes them with one SQL statement (two GROUP BYs joined by UNION ALL,
so both halves see the same snapshot of the database). During a surge only one
request per cache recomputes; the others keep answering with the previous
figures meanwhile, so ``as_of`` is never older than the cache time plus one
recompute.

Why no counter table: the GROUP BY over 500,000 rows is an index-only scan on
(category, status) and the hourly one reads the ``applied_at`` index range of
the window only; bench/signup_surge measures both well under the 200 ms target
on SQLite and PostgreSQL, while a counter row updated by every sign-up would
serialise the surge's transactions on PostgreSQL.
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

from rankfile.membership.models import Category, JoiningWindow, Membership

CACHE_KEY = "stats:v1"
LOCK_KEY = "stats:v1:lock"
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


def _hour_expression() -> str:
    """SQL for the UTC hour of ``applied_at`` as text 'YYYY-MM-DD HH', per database."""
    if connection.vendor == "sqlite":
        # Django stores aware datetimes in SQLite as UTC text 'YYYY-MM-DD HH:MM:SS...'.
        return "substr(applied_at, 1, 13)"
    if connection.vendor == "postgresql":
        return "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
    raise NotImplementedError(f"Live counters do not support {connection.vendor} yet.")


def stats_compute(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Count everyone now, in one statement (one snapshot). Uncached; see ``stats_get``."""
    now = now or timezone.now()
    start_hour, end_hour, window = _chart_range(now)
    table = Membership._meta.db_table
    sql = (
        f"SELECT 'c', category_id, status, COUNT(*) FROM {table} GROUP BY category_id, status "
        f"UNION ALL "
        f"SELECT 'h', NULL, {_hour_expression()}, COUNT(*) FROM {table} "
        f"WHERE applied_at >= %s AND applied_at < %s GROUP BY 3"
    )
    with connection.cursor() as cursor:
        as_of = timezone.now()
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(sql, [adapt(start_hour), adapt(end_hour + dt.timedelta(hours=1))])
        rows = cursor.fetchall()

    kinds = dict(Category.objects.values_list("pk", "kind"))
    statuses = [s.value for s in Membership.Status]
    by_category: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(statuses, 0) for kind in Category.Kind.values
    }
    per_hour: dict[str, int] = {}
    for part, category_id, key, count in rows:
        if part == "c":
            kind = kinds.get(category_id, str(category_id))
            by_category.setdefault(kind, dict.fromkeys(statuses, 0))[key] = count
        else:
            per_hour[key] = count

    hours = []
    hour = start_hour
    while hour <= end_hour:
        hours.append(
            {"hour": hour.isoformat().replace("+00:00", "Z"),
             "count": per_hour.get(hour.strftime("%Y-%m-%d %H"), 0)}
        )
        hour += dt.timedelta(hours=1)

    by_status = dict.fromkeys(statuses, 0)
    for counts in by_category.values():
        for status, n in counts.items():
            by_status[status] = by_status.get(status, 0) + n
    return {
        "as_of": as_of.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "by_category": by_category,
        "totals": {
            "people": sum(by_status.values()),
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
