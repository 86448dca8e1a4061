"""The client's address, and rate limits for public forms."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

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
    """Count one hit for this client in ``scope``; refuse past ``limit`` per window.

    Raises:
        RateLimited: with a message saying how long to wait.
    """
    if not settings.RATELIMIT_ENABLE:
        return
    ip = client_ip(request)
    if ip in settings.RATELIMIT_EXEMPT_IPS:
        return
    who = key or ip
    # Hashed: scopes and keys may hold spaces or colons that some cache servers refuse.
    bucket = "rl:" + hashlib.sha256(f"{scope}\0{who}".encode()).hexdigest()[:32]
    added = cache.add(bucket, 1, per_seconds)
    count = 1 if added else cache.incr(bucket)
    if count > limit:
        minutes = max(1, per_seconds // 60)
        raise RateLimited(
            f"Too many attempts from your connection. Please wait {minutes} minute"
            f"{'s' if minutes != 1 else ''} and try again."
        )
