"""Rate limits through django-ratelimit: exact per window, and a counter that vanishes
between its add and its increment refuses the attempt instead of raising (the old
hand-written limiter raised ValueError there: a 500)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from rankfile.core.errors import RateLimited
from rankfile.core.net import rate_limit


def _request(ip: str = "192.0.2.7"):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def test_it_allows_the_limit_then_refuses_with_a_clear_message(db):
    for _ in range(3):
        rate_limit(_request(), scope="t", limit=3, per_seconds=600)

    with pytest.raises(RateLimited) as e:
        rate_limit(_request(), scope="t", limit=3, per_seconds=600)

    assert "Too many attempts from your connection. Please wait" in e.value.message
    rate_limit(_request("192.0.2.8"), scope="t", limit=3, per_seconds=600)  # another address


def test_a_new_window_starts_a_new_count(db, _clock):
    for _ in range(3):
        rate_limit(_request(), scope="w", limit=3, per_seconds=60)

    _clock.shift(dt.timedelta(seconds=61))

    rate_limit(_request(), scope="w", limit=3, per_seconds=60)


def test_a_counter_that_vanishes_mid_count_refuses_instead_of_raising(db, monkeypatch):
    """``add`` finds the key, then it expires before ``incr``: the attempt is refused
    (the cache could not count it), never a ValueError."""
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)

    with pytest.raises(RateLimited):
        rate_limit(_request(), scope="v", limit=3, per_seconds=60)


def test_exempt_addresses_and_a_disabled_limiter_count_nothing(db, settings):
    settings.RATELIMIT_EXEMPT_IPS = ["192.0.2.7"]
    for _ in range(5):
        rate_limit(_request(), scope="x", limit=1, per_seconds=60)
    settings.RATELIMIT_EXEMPT_IPS = []
    settings.RATELIMIT_ENABLE = False
    for _ in range(5):
        rate_limit(_request(), scope="x", limit=1, per_seconds=60)
