"""The one permission check: does someone hold a role in a body or above it?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.branches.models import Body


def has_role(user: Actor, kinds: str | Iterable[str], body: Body, *,
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


def national_roles(user: Actor, *, on: dt.date | None = None) -> set[str]:
    """The kinds of role ``user`` holds in the organisation itself (a body with no parent)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Role.objects.current(on or timezone.localdate())
        .filter(user=user, body__parent__isnull=True)
        .values_list("kind", flat=True)
    )


def is_national_staff(user: Actor, *, on: dt.date | None = None) -> bool:
    """True if ``user`` holds the staff role in the organisation itself (a body with no parent).

    National staff record payments, place members by hand and see every member.
    """
    return Role.Kind.STAFF in national_roles(user, on=on)


def bodies_with_role(user: Actor, kinds: str | Iterable[str], *,
                     on: dt.date | None = None, under: Role | None = None) -> list[Body]:
    """The bodies in which ``user`` holds one of ``kinds`` directly, on ``on``.

    ``under`` narrows the answer to that one role of theirs: a program using an
    API token acts under the role the token was created for, not all of them.
    """
    if user is None or not user.is_authenticated:
        return []
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    roles = Role.objects.current(on or timezone.localdate()).filter(user=user, kind__in=kinds)
    if under is not None:
        roles = roles.filter(pk=under.pk)
    return [r.body for r in roles.select_related("body")]


def role_kinds(user: Actor, *, on: dt.date | None = None) -> set[str]:
    """The kinds of role ``user`` holds anywhere on ``on``, in one query (for navigation)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(Role.objects.current(on or timezone.localdate()).filter(user=user)
               .values_list("kind", flat=True).distinct())


# The officers a branch page names publicly: by name and title, never by address.
PUBLIC_OFFICER_KINDS = (Role.Kind.CHAIR, Role.Kind.SECRETARY)


def officers_of(body: Body, *, on: dt.date | None = None) -> list[Role]:
    """The roles held in ``body`` itself that the public sees (chair, secretary), with
    their holders, chair first."""
    order: dict[str, int] = {kind.value: n for n, kind in enumerate(PUBLIC_OFFICER_KINDS)}
    roles = (Role.objects.current(on or timezone.localdate())
             .filter(body=body, kind__in=PUBLIC_OFFICER_KINDS).select_related("user"))
    return sorted(roles, key=lambda r: (order[r.kind], r.user.last_name, r.user.first_name))


def bodies_within(roots: Iterable[Body]) -> set[int]:
    """Primary keys of ``roots`` and every body below them."""
    found: set[int] = set()
    frontier = {b.pk for b in roots}
    while frontier:
        found |= frontier
        frontier = set(Body.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
    return found

