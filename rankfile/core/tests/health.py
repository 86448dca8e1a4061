"""Counting Django's connection health checks (CONN_HEALTH_CHECKS), for the tests of
``core.db.first_read`` and of the sign-up that relies on it."""

from __future__ import annotations

from django.db import connection, connections


def new_request() -> None:
    """What Django does to the connection as a request starts: check it before use."""
    connection.ensure_connection()
    connection.health_check_done = False  # type: ignore[attr-defined]


def count_health_checks(monkeypatch) -> list[bool]:
    """A list that grows by one at each health check from now on."""
    checks: list[bool] = []
    wrapper = type(connections["default"])
    usable = wrapper.is_usable

    def counted(self):
        checks.append(True)
        return usable(self)

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return checks
