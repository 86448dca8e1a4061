"""Reading memberships, scoped by who is asking.

Officers see members through their roles: national staff (``staff`` in the
organisation) see everyone; a branch secretary sees their branch's members; a
role in a constituency or region reaches the branches below it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import Role
from rankfile.accounts.roles import bodies_with_role, bodies_within
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.membership.models import Membership

OFFICER_KINDS = (Role.Kind.STAFF, Role.Kind.SECRETARY)


def _scope(user: AnyUser | None) -> tuple[list[Body], Q]:
    """The bodies ``user`` sees members through, and the filter that scopes to them.

    Raises:
        PermissionRefused: ``user`` holds no staff or secretary role.
    """
    roots = bodies_with_role(user, OFFICER_KINDS)
    if not roots:
        raise PermissionRefused(
            "Only membership staff and branch secretaries can see members' records.",
            code="not_an_officer",
        )
    if any(body.parent_id is None for body in roots):
        return roots, Q()
    within = bodies_within(roots)
    return roots, Q(branch_id__in=within) | Q(constituency_id__in=within)


def _names(bodies: list[Body]) -> str:
    names = sorted({b.name for b in bodies})
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def membership_list_for(user: AnyUser | None, *, q: str | None = None, status: str | None = None,
                        branch: int | Body | None = None) -> QuerySet[Membership]:
    """The memberships ``user`` may see, newest application first, filtered.

    Args:
        q: words each matching a name, the e-mail address or the reference.
        status: a ``Membership.Status`` value; anything else is ignored.
        branch: a branch (or its pk) to narrow to, within what ``user`` may see.

    Raises:
        PermissionRefused: ``user`` holds no staff or secretary role.
    """
    _, scope = _scope(user)
    found = Membership.objects.filter(scope).select_related("category", "branch", "user")
    for word in (q or "").split():
        found = found.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
            | Q(user__email__icontains=word) | Q(reference__iexact=word)
        )
    if status in Membership.Status.values:
        found = found.filter(status=status)
    if branch:
        found = found.filter(branch=branch)
    return found.order_by("-applied_at", "-pk")


def branch_list_for(user: AnyUser | None) -> list[Body]:
    """The branches whose members ``user`` may see, by name (for a filter on the list).

    Raises:
        PermissionRefused: ``user`` holds no staff or secretary role.
    """
    roots, _ = _scope(user)
    branches = Body.objects.filter(kind=Body.Kind.BRANCH)
    if not any(body.parent_id is None for body in roots):
        branches = branches.filter(pk__in=bodies_within(roots))
    return list(branches.order_by("name"))


def access_membership(user: AnyUser | None, reference: str) -> Membership:
    """The membership with ``reference``, if ``user`` may see it.

    Raises:
        PermissionRefused: ``user`` holds no staff or secretary role, or the
            member is outside the bodies where they hold one.
        NotFound: there is no membership with that reference.
    """
    roots, scope = _scope(user)
    reference = (reference or "").strip()
    membership = (
        Membership.objects.select_related(
            "category", "branch", "constituency", "ward", "user", "rate", "window", "union"
        )
        .filter(reference__iexact=reference)
        .first()
    )
    if membership is None:
        raise NotFound(
            f"There is no membership with the reference {reference}.", code="unknown_membership"
        )
    if not Membership.objects.filter(scope, pk=membership.pk).exists():
        raise PermissionRefused(
            f"You can see members of {_names(roots)} only.", code="outside_your_area"
        )
    return membership


def membership_list_of(user: AnyUser | None) -> QuerySet[Membership]:
    """A person's own memberships, newest first, with what the members' page shows."""
    if not (user is not None and user.is_authenticated):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("category", "branch", "constituency", "ward", "rate")
        .prefetch_related("payments", "history", "branch_history__from_branch",
                          "branch_history__to_branch")
        .order_by("-applied_at", "-pk")
    )


def access_own_membership(user: AnyUser | None, reference: str | None = None) -> Membership:
    """The person's membership with ``reference``, or their newest one that has not ended.

    Raises:
        NotFound: no such membership of theirs (or none that is still going).
    """
    own = membership_list_of(user)
    if reference:
        found = own.filter(reference__iexact=reference.strip()).first()
    else:
        from rankfile.membership.services.status import ENDED

        found = own.exclude(status__in=ENDED).first()
    if found is None:
        raise NotFound("You have no current membership.", code="no_membership")
    return found
