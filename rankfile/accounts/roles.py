"""The one permission check: does someone hold a role in a body or above it?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body


def has_role(user: AnyUser | None, kinds: str | Iterable[str], body: Body, *,
             on: dt.date | None = None) -> bool:
    """True if ``user`` holds one of ``kinds`` in ``body`` or in any body above it, on ``on``."""
    if user is None or not user.is_authenticated:
        return False
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    bodies = [body.pk, *(b.pk for b in body.ancestors())]
    return (
        Role.objects.current(on or timezone.localdate())
        .filter(user=user, kind__in=kinds, body_id__in=bodies)
        .exists()
    )


def is_national_staff(user: AnyUser | None, *, on: dt.date | None = None) -> bool:
    """True if ``user`` holds the staff role in the organisation itself (a body with no parent).

    National staff record payments, place members by hand and see every member.
    """
    if user is None or not user.is_authenticated:
        return False
    return (
        Role.objects.current(on or timezone.localdate())
        .filter(user=user, kind=Role.Kind.STAFF, body__parent__isnull=True)
        .exists()
    )


def bodies_with_role(user: AnyUser | None, kinds: str | Iterable[str], *,
                     on: dt.date | None = None) -> list[Body]:
    """The bodies in which ``user`` holds one of ``kinds`` directly, on ``on``."""
    if user is None or not user.is_authenticated:
        return []
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    roles = Role.objects.current(on or timezone.localdate()).filter(user=user, kind__in=kinds)
    return [r.body for r in roles.select_related("body")]


def bodies_within(roots: Iterable[Body]) -> set[int]:
    """Primary keys of ``roots`` and every body below them."""
    found: set[int] = set()
    frontier = {b.pk for b in roots}
    while frontier:
        found |= frontier
        frontier = set(Body.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
    return found


def grant_role(*, user: User, kind: str, body: Body, starts_on: dt.date | None = None,
               ends_on: dt.date | None = None, granted_by: User | None = None, note: str = "") -> Role:
    role = Role(
        user=user, kind=kind, body=body, starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on, granted_by=granted_by, note=note,
    )
    role.full_clean()
    role.save()
    return role
