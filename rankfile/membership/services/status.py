"""The membership status lifecycle.

Every status change goes through ``membership_set_status``, which checks who
may make it (``membership.access.can_manage_membership``) and that the
transition is allowed, keeps ``joined_on`` and ``good_standing_since`` exact,
and writes a ``StatusChange`` (who, when, why) in the same transaction.
``membership_change_status`` is the way in for staff: it takes the row lock
first, so two changes of one membership at once keep the history a chain.

Other membership services that change a status as part of their own job
(recording a payment, a resignation, an expiry) check their own rule and then
call ``_set_status``, which checks no person.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import can_manage_membership
from rankfile.membership.models import GOOD_STANDING, Membership, StatusChange

S = Membership.Status

ENDED = frozenset({S.LAPSED, S.EXPELLED, S.RESIGNED, S.EXPIRED})

ALLOWED: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.ACTIVE, S.EXPIRED, S.RESIGNED}),
    S.ACTIVE: frozenset({S.IN_ARREARS, S.SUSPENDED, S.EXPELLED, S.RESIGNED, S.LAPSED}),
    S.IN_ARREARS: frozenset({S.ACTIVE, S.LAPSED, S.SUSPENDED, S.EXPELLED, S.RESIGNED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.EXPELLED, S.RESIGNED, S.LAPSED}),
    S.LAPSED: frozenset({S.ACTIVE}),
    S.EXPELLED: frozenset(),
    S.RESIGNED: frozenset(),
    S.EXPIRED: frozenset(),
}


def can_change_status(current: str, new: str) -> bool:
    return new in ALLOWED.get(current, frozenset())


def membership_set_status(*, membership: Membership, status: str, reason: str,
                          by: Actor, at: dt.datetime | None = None) -> StatusChange:
    """Move ``membership`` to ``status`` and record why, as ``by``.

    The caller should hold a lock on the membership row
    (``select_for_update``) when a concurrent change is possible; this function
    opens its own (nested) transaction for the change and its history row.

    Raises:
        PermissionRefused: ``by`` is not staff over the member (nor the system).
        Refusal: the transition is not allowed, or no reason was given.
    """
    if not can_manage_membership(by, membership):
        raise PermissionRefused(
            "Only membership staff of the member's branch, or above it, can change a "
            "membership's status.", code="not_staff",
        )
    return _set_status(membership=membership, status=status, reason=reason, by=by, at=at)


def _set_status(*, membership: Membership, status: str, reason: str, by: Actor = None,
                at: dt.datetime | None = None) -> StatusChange:
    """``membership_set_status`` for services that have checked their own rule."""
    reason = (reason or "").strip()
    if not reason:
        raise Refusal("Give a reason for the change of status.", code="reason_required", field="reason")
    if not can_change_status(membership.status, status):
        raise Refusal(
            f"A membership that is {membership.get_status_display().lower()} cannot become "
            f"{S(status).label.lower()}.",
            code="invalid_transition",
            field="status",
        )
    at = at or timezone.now()
    day = timezone.localdate(at)
    previous = membership.status
    with transaction.atomic():
        membership.status = status
        fields = ["status"]
        if status in GOOD_STANDING:
            if membership.joined_on is None:
                membership.joined_on = day
                fields.append("joined_on")
            # Arrears keep the run of good standing; only a return from outside it restarts it.
            if previous not in GOOD_STANDING:
                membership.good_standing_since = day
                membership.ended_on = None
                fields += ["good_standing_since", "ended_on"]
        else:
            if status in ENDED:
                membership.ended_on = day
                fields.append("ended_on")
            membership.good_standing_since = None
            fields.append("good_standing_since")
        if status != S.APPLIED and membership.expires_at is not None:
            membership.expires_at = None
            fields.append("expires_at")
        membership.save(update_fields=fields)
        return StatusChange.objects.create(
            membership=membership, from_status=previous, to_status=status, at=at,
            by=by if isinstance(by, User) else None, reason=reason,
        )


def membership_change_status(*, membership: Membership, status: str, reason: str,
                             by: Actor) -> StatusChange:
    """Change ``membership``'s status from the one it has when its row is locked.

    Two changes of one membership at once (staff suspending a member while
    they resign) are taken one after the other: the second is checked against
    the status the first left, and the history stays a chain in which each
    change starts from the status the one before it ended in. ``membership``
    is updated to match.

    Raises:
        PermissionRefused: ``by`` is not staff over the member (nor the system).
        Refusal: the transition is not allowed from the status found, or no
            reason was given. Nothing is written.
    """
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        change = membership_set_status(membership=current, status=status, reason=reason, by=by)
    for name in ("status", "joined_on", "good_standing_since", "ended_on", "expires_at"):
        setattr(membership, name, getattr(current, name))
    return change
