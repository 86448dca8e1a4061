"""The client's address, and rate limits for public forms."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from rankfile.core.errors import RateLimited


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, trusting only the configured number of proxies."""
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return str(request.META.get("REMOTE_ADDR", ""))


def rate_limit(request: HttpRequest, *, scope: str, limit: int, per_seconds: int,
               key: str | None = None) -> None:
    """At the edge (a view, the API): count one attempt by this client in ``scope``;
    refuse past ``limit`` per window of ``per_seconds``. Call it before the service,
    so that a refused attempt writes nothing.

    Counted by django-ratelimit in fixed windows: a window's counter is a cache key
    of its own that outlives the window, so adding and incrementing it cannot meet
    an expired key (the hand-written ``add`` then ``incr`` could, and raised).
    A cache that fails to count refuses (fails closed). The cache must be shared by
    every process (Redis in production: ``rankfile check --deploy``).

    Args:
        key: what to count by, if not the client's address (e.g. ``"user-12"``).

    Raises:
        RateLimited: with a message saying how long to wait.
    """
    if not settings.RATELIMIT_ENABLE:
        return
    ip = client_ip(request)
    if ip in settings.RATELIMIT_EXEMPT_IPS:
        return
    who = key or ip
    usage = get_usage(request, group=f"rankfile:{scope}", key=lambda _group, _request: who,
                      rate=(limit, per_seconds), increment=True)
    if usage is not None and usage["should_limit"]:
        wait = usage["time_left"] if usage["time_left"] > 0 else per_seconds
        minutes = max(1, -(-wait // 60))
        raise RateLimited(
            f"Too many attempts from your connection. Please wait {minutes} minute"
            f"{'s' if minutes != 1 else ''} and try again.")
