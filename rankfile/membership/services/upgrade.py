"""A supporter becomes a member (an upgrade), paying as joining requires.

The rules:

- A registered or affiliated supporter in good standing may apply to become a
  member, logged in as themselves: their name, date of birth, address and
  branch carry over, so they type nothing again but the rate.
- The application is a new ``Membership`` of the member category, ``applied``,
  with the first period's dues at the chosen rate to pay (a pending payment,
  paid as any joiner pays: card, Direct Debit or bank transfer). It becomes
  active when that payment arrives, as any member's application does, and
  waits in vetting like any other.
- The supporter's registration is left as it is: it ends on its own terms,
  and the member's record carries the member's rights once active. (An
  electoral roll counts a person once, in the member section when they are both.)
- Asking twice (a double click) gives back the application already made; a
  person who already holds a membership that is applied for, active or in
  arrears is told so.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import is_own_membership
from rankfile.membership.models import (
    GOOD_STANDING,
    Category,
    Membership,
    Payment,
    Rate,
    StatusChange,
)
from rankfile.membership.services.joining import joining_offer
from rankfile.membership.services.references import new_reference

S = Membership.Status
K = Category.Kind
SUPPORTERS = (K.REGISTERED_SUPPORTER, K.AFFILIATED_SUPPORTER)


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def membership_upgrade(*, supporter: Membership, rate_code: str, consent: bool,
                       by: Actor, now: dt.datetime | None = None) -> Membership:
    """Apply for ``supporter``'s owner to become a member at ``rate_code`` (module docstring).

    Returns:
        The member application (``applied``, with its pending payment), new
        or the one already made.

    Raises:
        PermissionRefused: ``by`` is not the supporter themselves.
        Refusal: not a supporter in good standing, already a member, the
            rate unknown, the privacy notice not accepted, or too young to be
            a member. Nothing is changed.
    """
    if not is_own_membership(by, supporter):
        raise PermissionRefused("Only the supporter themselves can apply to become a member.",
                                code="not_your_membership")
    assert isinstance(by, User)
    if supporter.category.kind not in SUPPORTERS:
        raise Refusal("Only a supporter can upgrade to member.", code="not_a_supporter")
    if supporter.status not in GOOD_STANDING:
        raise Refusal(f"Your registration is {supporter.get_status_display().lower()}. "
                      "Join as a member instead.", code="not_in_good_standing")
    offer = joining_offer(K.MEMBER)
    now = now or timezone.now()
    if offer is None or not offer.is_open(now):
        raise Refusal("Membership is not open at the moment.", code="closed")
    rate = next((r for r in offer.rates if r.code == (rate_code or "")), None)
    if rate is None:
        raise Refusal("Choose the rate you will pay.", code="unknown_rate", field="rate")
    if not consent:
        raise Refusal("Agree to the privacy notice to become a member.",
                      code="consent_required", field="consent")
    if _age_on(supporter.date_of_birth, timezone.localdate(now)) < offer.category.minimum_age:
        raise Refusal(f"Members must be at least {offer.category.minimum_age}.",
                      code="too_young")
    with transaction.atomic():
        # The person's row orders two upgrades at once: the second sees the first.
        User.objects.select_for_update().get(pk=by.pk)
        current = (Membership.objects.filter(user=by, category=offer.category)
                   .filter(status__in=(S.APPLIED, *GOOD_STANDING)).first())
        if current is not None and current.status == S.APPLIED:
            return current
        if current is not None:
            raise Refusal(f"You are already a member ({current.reference}).",
                          code="already_member")
        member = new_member_application(
            like=supporter, user=by, rate=rate, now=now,
            reason=f"Applied to become a member, upgrading from "
                   f"{supporter.category.name.lower()} {supporter.reference}")
    return member


def new_member_application(*, like: Membership, user: User, rate: Rate, now: dt.datetime,
                           reason: str) -> Membership:
    """A member's application for ``user`` with ``like``'s details and placement, owing the
    first period's dues at ``rate`` (a pending payment). Call it in a transaction, with
    the rules checked."""
    member_category = rate.category
    fee = rate.amount_pence
    member = Membership.objects.create(
        reference=new_reference("RF-"), user=user, category=member_category, rate=rate,
        status=S.APPLIED, first_name=like.first_name, last_name=like.last_name,
        date_of_birth=like.date_of_birth, address=like.address,
        postcode=like.postcode, ward=like.ward, branch=like.branch,
        constituency=like.constituency, needs_placement=like.needs_placement,
        fee_pence=fee, applied_at=now,
        expires_at=(now + dt.timedelta(hours=settings.UNPAID_APPLICATION_EXPIRY_HOURS)
                    if fee else None),
        email_confirmed_at=like.email_confirmed_at,
        consent_version=settings.PRIVACY_NOTICE_VERSION, consent_at=now)
    StatusChange.objects.create(membership=member, from_status="", to_status=S.APPLIED, at=now,
                                by=user, reason=reason)
    if fee:
        Payment.objects.create(membership=member, provider="offline",
                               reference=new_reference("PAY-"), amount_pence=fee,
                               created_at=now, periods=1)
    return member
