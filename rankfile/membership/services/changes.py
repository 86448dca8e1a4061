"""A member's own changes: a new address (which may move their branch) and resignation.

Both are open to the member themselves and to membership staff over them; both
check everything before writing anything, and write their history in the same
transaction as the change.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.branches.models import Ward, WardPlacement
from rankfile.branches.postcodes import normalise_postcode
from rankfile.branches.selectors import place_postcode
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import can_change_membership, can_place_members
from rankfile.membership.models import BranchChange, Membership, StatusChange
from rankfile.membership.services.status import ENDED, _set_status

ADDRESS_MAX_LENGTH = 300
REASON_MAX_LENGTH = 400


def _check_may_change(membership: Membership, by: User) -> None:
    if can_change_membership(by, membership):
        return
    raise PermissionRefused(
        "Only the member themselves or membership staff can change this membership.",
        code="not_your_membership",
    )


def _check_not_ended(membership: Membership) -> None:
    if membership.status in ENDED:
        raise Refusal(
            f"This membership has ended ({membership.get_status_display().lower()}), "
            "so it cannot be changed. Join again to become a member.",
            code="membership_ended",
        )


def membership_change_address(*, membership: Membership, address: str, postcode: str, by: User,
                              now: dt.datetime | None = None) -> BranchChange | None:
    """Record a new address for ``membership`` and place it by its postcode.

    The postcode decides the ward, constituency and branch (through the ward's
    placement on the day). A move to another branch is written as a
    ``BranchChange`` with the reason "Moved address".

    Returns:
        The ``BranchChange`` if the branch changed, else None.

    Raises:
        PermissionRefused: ``by`` is neither the member nor staff over them.
        Refusal: the membership has ended, the address is missing or too long,
            or the postcode is badly shaped or not in our list. Nothing is changed.
    """
    _check_may_change(membership, by)
    _check_not_ended(membership)
    address = " ".join((address or "").split())
    if not address:
        raise Refusal("Enter your address.", code="address_required", field="address")
    if len(address) > ADDRESS_MAX_LENGTH:
        raise Refusal(
            f"Shorten the address to {ADDRESS_MAX_LENGTH} characters or fewer.",
            code="address_too_long", field="address",
        )
    typed = (postcode or "").strip()
    normalised = normalise_postcode(typed)
    if normalised is None:
        raise Refusal(
            f"“{typed}” is not a UK postcode. Enter a postcode like E4 7AA."
            if typed else "Enter your postcode.",
            code="invalid_postcode", field="postcode",
        )
    now = now or timezone.now()
    placement = place_postcode(normalised, on=timezone.localdate(now))
    if placement is None:
        raise Refusal(
            f"The postcode {normalised} is not in our list. Check it, or contact membership "
            "staff if it is right.",
            code="unknown_postcode", field="postcode",
        )

    with transaction.atomic():
        # Lock the row: a concurrent change (or a status change by staff) waits for us.
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_not_ended(current)
        from_branch, from_postcode = current.branch, current.postcode
        current.address = address
        current.postcode = placement.postcode
        current.ward = placement.ward
        current.constituency = placement.constituency
        current.branch = placement.branch
        current.needs_placement = placement.branch is None
        current.save(update_fields=(
            "address", "postcode", "ward", "constituency", "branch", "needs_placement",
        ))
        move = None
        if (from_branch.pk if from_branch else None) != (
            placement.branch.pk if placement.branch else None
        ):
            move = BranchChange.objects.create(
                membership=current, from_branch=from_branch, to_branch=placement.branch,
                from_postcode=from_postcode, to_postcode=placement.postcode, at=now,
                by=by if getattr(by, "pk", None) else None, reason="Moved address",
            )
    for name in ("address", "postcode", "ward", "constituency", "branch", "needs_placement"):
        setattr(membership, name, getattr(current, name))
    return move


def membership_resign(*, membership: Membership, by: User, reason: str = "") -> StatusChange:
    """End ``membership`` by resignation, with the member's reason if they gave one, and
    e-mail the member to confirm it (a job enqueued in the same transaction).

    Returns:
        The ``StatusChange`` recording the resignation.

    Raises:
        PermissionRefused: ``by`` is neither the member nor staff over them.
        Refusal: the membership has already ended, or the reason is too long.
    """
    _check_may_change(membership, by)
    _check_not_ended(membership)
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise Refusal(
            f"Shorten the reason to {REASON_MAX_LENGTH} characters or fewer.",
            code="reason_too_long", field="reason",
        )
    is_member = getattr(by, "pk", None) == membership.user_id
    recorded = "Resigned" + (" by the member" if is_member else " on the member's behalf")
    if reason:
        recorded += f": {reason}"
    from rankfile.membership.tasks import send_resignation_confirmation

    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_not_ended(current)
        change = _set_status(
            membership=current, status=Membership.Status.RESIGNED, reason=recorded, by=by,
        )
        send_resignation_confirmation.enqueue(status_change_id=change.pk)
    for name in ("status", "ended_on", "good_standing_since", "expires_at"):
        setattr(membership, name, getattr(current, name))
    return change


def membership_place(*, membership: Membership, ward: Ward, by: User,
                     now: dt.datetime | None = None) -> BranchChange:
    """Place by hand a membership whose postcode was missing from our list.

    Staff choose the ward; the ward's placement on the day gives the branch and
    its constituency. The move is kept as a ``BranchChange``.

    Raises:
        PermissionRefused: ``by`` is not national membership staff.
        Refusal: the membership is not waiting to be placed, has ended, or the
            ward belongs to no branch today. Nothing is changed.
    """
    if not can_place_members(by):
        raise PermissionRefused("Only membership staff can place members by hand.",
                                code="not_staff")
    now = now or timezone.now()
    day = timezone.localdate(now)
    placement = WardPlacement.objects.on(day).filter(ward=ward).select_related("branch").first()
    if placement is None:
        raise Refusal(f"{ward.name} is in no branch today. Choose another ward, or place the "
                      "ward in a branch first.", code="ward_without_branch", field="ward")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_not_ended(locked)
        if not locked.needs_placement:
            raise Refusal(f"{locked.reference} is already placed, in "
                          f"{locked.branch or 'no branch'}.", code="already_placed")
        change = BranchChange.objects.create(
            membership=locked, from_branch=locked.branch, to_branch=placement.branch,
            from_postcode=locked.postcode, to_postcode=locked.postcode, at=now,
            by=by if getattr(by, "pk", None) else None,
            reason=f"Placed by hand in {ward.name}: postcode {locked.postcode} is not in our list",
        )
        locked.ward = ward
        locked.branch = placement.branch
        locked.constituency = ward.constituency
        locked.needs_placement = False
        locked.save(update_fields=["ward", "branch", "constituency", "needs_placement"])
    membership.refresh_from_db()
    return change


DECLINE_REASON_MAX_LENGTH = 200


def membership_decline_placement(*, membership: Membership, reason: str, by: User,
                                 now: dt.datetime | None = None) -> BranchChange:
    """Take off the placement queue a membership whose postcode no branch of ours covers.

    The membership goes on without a branch (its other rights are unchanged); the
    decision and its reason are kept as a ``BranchChange`` from no branch to no
    branch, and the person is e-mailed what it means (a job in the same
    transaction). A later change of address places them as usual.

    Raises:
        PermissionRefused: ``by`` is not national membership staff.
        Refusal: no reason given, or the membership is not waiting to be placed, or
            has ended. Nothing is changed.
    """
    if not can_place_members(by):
        raise PermissionRefused("Only membership staff can decide on placements.",
                                code="not_staff")
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refusal("Say why no branch covers this address, for example “Postcode is in "
                      "Glasgow”.", code="reason_required", field="reason")
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise Refusal(f"Shorten the reason to {DECLINE_REASON_MAX_LENGTH} characters or fewer.",
                      code="reason_too_long", field="reason")
    from rankfile.membership.tasks import send_placement_declined

    now = now or timezone.now()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_not_ended(locked)
        if not locked.needs_placement:
            raise Refusal(f"{locked.reference} is no longer waiting to be placed.",
                          code="not_awaiting_placement")
        change = BranchChange.objects.create(
            membership=locked, from_branch=locked.branch, to_branch=None,
            from_postcode=locked.postcode, to_postcode=locked.postcode, at=now,
            by=by if getattr(by, "pk", None) else None,
            reason=f"Not placed in a branch: no branch covers {locked.postcode} ({reason})",
        )
        locked.needs_placement = False
        locked.save(update_fields=["needs_placement"])
        send_placement_declined.enqueue(branch_change_id=change.pk)
    membership.refresh_from_db()
    return change


def membership_list_awaiting_placement(*, by: Actor, limit: int = 100) -> list[Membership]:
    """Applications whose postcode was missing from our list, oldest first.

    Raises:
        PermissionRefused: ``by`` may not place members by hand.
    """
    if not can_place_members(by):
        raise PermissionRefused("Only membership staff can place members by hand.",
                                code="not_staff")
    return list(
        Membership.objects.filter(needs_placement=True).exclude(status__in=ENDED)
        .select_related("category", "user").order_by("applied_at")[:limit]
    )
