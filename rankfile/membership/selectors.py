"""Reading memberships, scoped by who is asking.

Officers see members through their roles: national staff (``staff`` in the
organisation) see everyone; a branch secretary sees their branch's members; a
role in a constituency or region reaches the branches below it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rankfile.accounts.http import AnyUser
from rankfile.accounts.roles import bodies_within
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound
from rankfile.membership.access import OFFICER_KINDS, access_membership, check_sees_members
from rankfile.membership.models import BranchChange, Membership, StatusChange

__all__ = ["OFFICER_KINDS", "access_membership", "access_own_membership", "branch_list_for",
           "membership_list_for", "membership_list_of"]


def membership_list_for(user: AnyUser | None, *, q: str | None = None, status: str | None = None,
                        branch: int | Body | None = None) -> QuerySet[Membership]:
    """The memberships ``user`` may see, newest application first, filtered.

    Args:
        q: words each matching a name, the e-mail address or the reference.
        status: a ``Membership.Status`` value; anything else is ignored.
        branch: a branch (or its pk) to narrow to, within what ``user`` may see.

    Raises:
        PermissionRefused: ``user`` holds no role that reads members' records.
    """
    found = Membership.objects.filter(check_sees_members(user).filter).select_related("category", "branch", "user")
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
        PermissionRefused: ``user`` holds no role that reads members' records.
    """
    scope = check_sees_members(user)
    branches = Body.objects.filter(kind=Body.Kind.BRANCH)
    if not scope.everyone:
        branches = branches.filter(pk__in=bodies_within(scope.roots))
    return list(branches.order_by("name"))


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
    if reference and "\x00" in reference:  # PostgreSQL refuses NUL in text; no reference has one
        raise NotFound("You have no current membership.", code="no_membership")
    if reference:
        found = own.filter(reference__iexact=reference.strip()).first()
    else:
        from rankfile.membership.services.status import ENDED

        found = own.exclude(status__in=ENDED).first()
    if found is None:
        raise NotFound("You have no current membership.", code="no_membership")
    return found


def membership_history(membership: Membership) -> list[StatusChange | BranchChange]:
    """The status changes and branch moves of ``membership`` in one list, oldest first.

    Uses the rows ``membership_list_of`` prefetched, so it costs no query there.
    """
    events: list[StatusChange | BranchChange] = [*membership.history.all(),
                                                 *membership.branch_history.all()]
    return sorted(events, key=lambda e: (e.at, isinstance(e, BranchChange), e.pk))
