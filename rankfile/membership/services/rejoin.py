"""A member whose membership ended comes back: by paying arrears, or afresh.

The rules:

- A member who **lapsed** (their dues stopped) no more than
  ``REJOIN_ARREARS_MONTHS`` months ago may pay their arrears: every period of
  their rate from the first unpaid one up to today, in one payment, at their
  current rate. When it is recorded, the same membership is active again, and
  their run of good standing is restored as if it had never broken (the
  ``good_standing_since`` of the run that lapsed): continuous membership
  counts for rights such as a freeze date's "member since". Paying part of it
  changes nothing until the rest is paid.
- Any lapsed member may instead start afresh, and after
  ``REJOIN_ARREARS_MONTHS`` months it is the only way: a new member's
  application, owing only the first period at the rate they choose, with a new
  joining date when it is paid. Nothing is owed on the old membership.
- A member who **resigned**, or whose application **expired** unpaid, starts
  afresh: a resignation ended the dues, so there are no arrears to pay.
- An **expelled** or **suspended** member cannot rejoin here: they are told to
  write to membership staff.
- Supporters (no dues) register again through a joining window (``/join/``).
- Asking twice (a double click) gives back the payment or application already
  made; someone already holding a membership that is applied for, active or
  in arrears is told so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import is_own_membership
from rankfile.membership.models import GOOD_STANDING, Category, Membership, Payment, Rate
from rankfile.membership.services.dues import Dues, add_periods, dues_of
from rankfile.membership.services.joining import joining_offer
from rankfile.membership.services.references import new_reference
from rankfile.membership.services.status import _set_status
from rankfile.membership.services.upgrade import new_member_application

S = Membership.Status
ARREARS = "arrears"
AFRESH = "afresh"


@dataclass(frozen=True)
class RejoinOptions:
    """What ``membership``'s owner may do: pay ``arrears`` (None: not open) or start afresh."""

    membership: Membership
    arrears: Dues | None
    arrears_until: dt.date | None  # the last day arrears may be paid
    afresh: bool
    refusal: str = ""  # why neither is open, in plain words


def _arrears_until(membership: Membership) -> dt.date | None:
    if (membership.status != S.LAPSED or membership.ended_on is None
            or membership.rate_id is None or membership.joined_on is None):
        return None
    return add_periods(membership.ended_on, settings.REJOIN_ARREARS_MONTHS, Rate.Period.MONTHLY)


def rejoin_options(membership: Membership, *, now: dt.datetime | None = None) -> RejoinOptions:
    """The ways back open to ``membership``'s owner today (module docstring)."""
    today = timezone.localdate(now or timezone.now())
    if membership.category.kind != Category.Kind.MEMBER:
        return RejoinOptions(membership, None, None, False,
                             "Supporters register again through a joining window: see Join.")
    if membership.status in (S.EXPELLED, S.SUSPENDED):
        return RejoinOptions(membership, None, None, False,
                             f"Your membership is {membership.get_status_display().lower()}. "
                             "Write to membership staff to ask about coming back.")
    if membership.status not in (S.LAPSED, S.RESIGNED, S.EXPIRED):
        return RejoinOptions(membership, None, None, False,
                             "This membership has not ended: there is nothing to rejoin.")
    until = _arrears_until(membership)
    dues = dues_of(membership, today=today) if until is not None and today <= until else None
    if dues is not None and not dues.owed_periods:
        dues = None
    return RejoinOptions(membership, dues, until if dues else None, True)


def _reinstatement_run_start(membership: Membership) -> dt.date | None:
    """When the run of good standing that lapsed began (its last entry into good standing)."""
    entry = (membership.history.filter(to_status__in=GOOD_STANDING)
             .exclude(from_status__in=GOOD_STANDING).order_by("-at", "-pk").first())
    return timezone.localdate(entry.at) if entry is not None else membership.joined_on


def membership_reinstate_if_paid(*, membership: Membership, at: dt.datetime,
                                 by: Actor = None) -> bool:
    """Make a lapsed member active again if their arrears are paid, within the time allowed.

    For ``payment_mark_paid`` (through ``dues_settle``): call it with the row
    locked, after recording a dues payment.

    Returns:
        True when the membership became active.
    """
    today = timezone.localdate(at)
    until = _arrears_until(membership)
    if until is None or today > until:
        return False
    dues = dues_of(membership, today=today)
    if dues is None or dues.owed_periods:
        return False
    since = _reinstatement_run_start(membership)
    _set_status(membership=membership, status=S.ACTIVE, at=at, by=by,
                reason=f"Rejoined by paying arrears: {dues.describe()}")
    if since is not None:
        membership.good_standing_since = since
        membership.save(update_fields=("good_standing_since",))
    return True


def may_take_arrears(membership: Membership, now: dt.datetime) -> bool:
    """Whether a dues payment may be recorded against lapsed ``membership`` now."""
    until = _arrears_until(membership)
    return until is not None and timezone.localdate(now) <= until


def membership_rejoin(*, membership: Membership, choice: str, by: Actor,
                      rate_code: str = "", consent: bool = False,
                      now: dt.datetime | None = None) -> Payment | Membership:
    """Come back by ``choice``: ``"arrears"`` or ``"afresh"`` (module docstring).

    Returns:
        For arrears, the pending payment of everything owed (pay it to be
        reinstated); afresh, the new application with its first dues to pay.

    Raises:
        PermissionRefused: ``by`` is not the member themselves.
        Refusal: the way chosen is not open to them, they already hold a
            membership, the rate is unknown, or the privacy notice was not
            accepted. Nothing is changed.
    """
    if not is_own_membership(by, membership):
        raise PermissionRefused("Only the member themselves can rejoin.",
                                code="not_your_membership")
    assert isinstance(by, User)
    now = now or timezone.now()
    options = rejoin_options(membership, now=now)
    if options.refusal:
        raise Refusal(options.refusal, code="cannot_rejoin")
    if choice not in (ARREARS, AFRESH):
        raise Refusal("Choose how to come back.", code="unknown_choice", field="choice")
    if choice == ARREARS and options.arrears is None:
        raise Refusal("Paying arrears is open only to a member who lapsed in the last "
                      f"{settings.REJOIN_ARREARS_MONTHS} months. Start afresh instead.",
                      code="arrears_closed", field="choice")
    if not consent:
        raise Refusal("Agree to the privacy notice to rejoin.", code="consent_required",
                      field="consent")
    rate = None
    if choice == AFRESH:
        offer = joining_offer(Category.Kind.MEMBER)
        if offer is None or not offer.is_open(now):
            raise Refusal("Membership is not open at the moment.", code="closed")
        rate = next((r for r in offer.rates if r.code == (rate_code or "")), None)
        if rate is None:
            raise Refusal("Choose the rate you will pay.", code="unknown_rate", field="rate")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=by.pk)
        current = (Membership.objects.filter(user=by, category=membership.category,
                                             status__in=(S.APPLIED, *GOOD_STANDING))
                   .exclude(pk=membership.pk).first())
        if current is not None and current.status == S.APPLIED and choice == AFRESH:
            return current
        if current is not None:
            raise Refusal(f"You already hold membership {current.reference}.",
                          code="already_member")
        if choice == ARREARS:
            dues = options.arrears
            assert dues is not None
            amount = dues.owed_pence
            existing = membership.payments.filter(
                status=Payment.Status.PENDING, periods=dues.owed_periods,
                amount_pence=amount).first()
            if existing is not None:
                return existing
            return Payment.objects.create(
                membership=membership, provider="offline", reference=new_reference("PAY-"),
                amount_pence=amount, created_at=now, periods=dues.owed_periods,
                note="Arrears to rejoin")
        assert rate is not None
        return new_member_application(
            like=membership, user=by, rate=rate, now=now,
            reason=f"Applied to rejoin afresh after {membership.reference} "
                   f"({membership.get_status_display().lower()})")
