"""A member's own changes to their record: their name and their dues rate.

(The address and resignation are in ``changes.py``; the e-mail address, which
belongs to the login, in ``accounts.email_change``.) Both are open to the
member themselves and to membership staff over them, check everything before
writing anything, and keep what changed in the membership's history.

The rules for a change of rate (``membership_change_rate``):

- A member may choose any rate of their own category with the same period as
  their current one (monthly for monthly, yearly for yearly). What a member
  owes is the periods started so far less the periods paid, valued at the
  current rate (``services/dues.py``), so a change of rate changes the value
  of arrears already owed, never their number of periods: a member in arrears
  may move to a reduced rate. Moving between monthly and yearly would change
  the count of periods owed, so it is for membership staff.
- A membership that has ended, or one still applying (its first payment was
  worked out from its rate), cannot change rate.
"""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import can_change_membership
from rankfile.membership.models import GOOD_STANDING, Membership, Rate, StatusChange

NAME_MAX_LENGTH = 100
# Bidirectional controls can make a name read differently from what it holds.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


def clean_line(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """``value`` on one line with its spaces tidied, or a Refusal naming ``field``."""
    value = " ".join((value or "").split())
    if not value:
        raise Refusal(f"Enter your {label}.", code="required", field=field)
    if len(value) > max_length:
        raise Refusal(f"Your {label} must be {max_length} characters or fewer.",
                      code="too_long", field=field)
    # U+FFFD is what undecodable bytes become; control characters never belong in a name.
    if "\ufffd" in value or any(unicodedata.category(c) in ("Cc", "Cs", "Co")
                                or c in BIDI_CONTROLS for c in value):
        raise Refusal(f"Your {label} contains characters that cannot be read. Type it again.",
                      code="unreadable", field=field)
    return value


def _check_may_change(membership: Membership, by: Actor) -> None:
    if not can_change_membership(by, membership):
        raise PermissionRefused(
            "Only the member themselves or membership staff can change this membership.",
            code="not_your_membership",
        )


def _note(membership: Membership, reason: str, by: Actor) -> StatusChange:
    """A history row that records a change without a change of status."""
    return StatusChange.objects.create(
        membership=membership, from_status=membership.status, to_status=membership.status,
        at=timezone.now(), by=by if isinstance(by, User) else None, reason=reason[:500],
    )


def membership_change_name(*, membership: Membership, first_name: str, last_name: str,
                           by: Actor) -> bool:
    """Give ``membership`` a new name, as the member wants to be called.

    Returns:
        True if the name changed, False if it was the same.

    Raises:
        PermissionRefused: ``by`` is neither the member nor staff over them.
        Refusal: a name is missing, too long, or holds control characters.
            Nothing is changed.
    """
    _check_may_change(membership, by)
    first = clean_line(first_name, field="first_name", label="first name",
                       max_length=NAME_MAX_LENGTH)
    last = clean_line(last_name, field="last_name", label="last name",
                      max_length=NAME_MAX_LENGTH)
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if (current.first_name, current.last_name) == (first, last):
            return False
        # The old name is not repeated in the history: it would outlive an erasure.
        _note(current, "Name changed", by)
        current.first_name, current.last_name = first, last
        current.save(update_fields=("first_name", "last_name"))
    membership.first_name, membership.last_name = first, last
    return True


def membership_rates_open(membership: Membership) -> list[Rate]:
    """The rates ``membership`` may move to (its own included), cheapest last."""
    if membership.rate is None:
        return []
    return list(Rate.objects.filter(category_id=membership.category_id,
                                    period=membership.rate.period))


def membership_change_rate(*, membership: Membership, rate_code: str, by: Actor) -> bool:
    """Move ``membership`` to the rate ``rate_code`` of its category (module docstring).

    Returns:
        True if the rate changed, False if it was already that rate.

    Raises:
        PermissionRefused: ``by`` is neither the member nor staff over them.
        Refusal: the membership has no rate (a supporter), is not in good
            standing, or the rate is unknown or of another period. Nothing is changed.
    """
    _check_may_change(membership, by)
    code = (rate_code or "").strip()[:30]
    with transaction.atomic():
        current = (Membership.objects.select_for_update(of=("self",)).select_related("rate")
                   .get(pk=membership.pk))
        if current.rate is None:
            raise Refusal("This membership pays no dues, so it has no rate to change.",
                          code="no_rate")
        if current.status not in GOOD_STANDING:
            raise Refusal(
                f"This membership is {current.get_status_display().lower()}, so its rate "
                "cannot be changed now.", code="not_in_good_standing")
        rate = Rate.objects.filter(category_id=current.category_id, code=code).first()
        if rate is None:
            raise Refusal("Choose one of the rates shown.", code="unknown_rate", field="rate")
        if rate.period != current.rate.period:
            raise Refusal(
                "To move between monthly and yearly dues, write to membership staff: it changes "
                "what you owe.", code="other_period", field="rate")
        if rate.pk == current.rate_id:
            return False
        _note(current, f"Dues rate changed from {current.rate.name} to {rate.name}", by)
        current.rate = rate
        current.save(update_fields=("rate",))
    membership.rate = rate
    return True
