"""Request types for views behind ``login_required``."""

from __future__ import annotations

from django.http import HttpRequest

from rankfile.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose ``user`` is a logged-in ``User`` (hc's pattern)."""

    user: User
