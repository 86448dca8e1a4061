"""Request and user types for views and the rules they call."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from rankfile.accounts.models import User
from rankfile.core.actors import System

# Whoever is asking: ``request.user``, logged in or not. A rule narrows it with
# ``if not user.is_authenticated: ...`` before treating it as a ``User``.
AnyUser: TypeAlias = User | AnonymousUser
# Whoever acts in a service: a person, logged in or not, or the site itself
# (``core.actors.System``); ``None`` is nobody in particular. Narrowed the same way.
Actor: TypeAlias = User | AnonymousUser | System | None


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose ``user`` is a logged-in ``User`` (hc's pattern)."""

    user: User


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a request where Django promises one (the admin site).

    Raises:
        PermissionDenied: nobody is logged in after all.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
