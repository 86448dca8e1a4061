"""The demo's logins: staff, an auditor, a branch secretary, and a member."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body, Postcode, WardPlacement
from rankfile.branches.selectors import organisation_get
from rankfile.demo import PASSWORD, SEED
from rankfile.demo.people import ALPHABET
from rankfile.membership.models import Category, Membership, Payment, Rate, StatusChange
from rankfile.membership.services.dues import periods_started

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

S = Membership.Status
STAFF = "staff@demo.rankfile.org"
AUDITOR = "auditor@demo.rankfile.org"
SECRETARY = "secretary.chingford@demo.rankfile.org"
MEMBER = "member@demo.rankfile.org"
BRANCH = "WF-CHN"

LOGINS = (
    (STAFF, "membership staff for the whole organisation, and the admin at /admin/"),
    (AUDITOR, "an auditor: reads the admin and every member's record, changes nothing"),
    (SECRETARY, "secretary of the Chingford branch (WF-CHN)"),
    (MEMBER, "an active member in the Chingford branch"),
)


# The demo officers' authenticator app secret (base32), printed by load_demo and in the
# README: add it to an authenticator app (or compute its code with any TOTP tool) to log
# in as staff, the auditor or the secretary. A demo secret, public by design.
TOTP_SECRET = "RANKANDFILEDEMOTWOFACTORSECRET23"
OFFICERS = (STAFF, AUDITOR, SECRETARY)


def is_loaded() -> bool:
    return User.objects.filter(email__in=[e for e, _ in LOGINS]).count() == len(LOGINS)


def load(ctx: DemoContext) -> None:
    rng = random.Random(SEED + 1)
    org = organisation_get()
    if org is None:
        raise RuntimeError("The demo's places are not loaded: there is no organisation yet.")
    branch = Body.objects.get(code=BRANCH)
    since = timezone.localdate(ctx.now) - dt.timedelta(days=365)
    if not User.objects.filter(email=STAFF).exists():
        # The staff role in the organisation opens the admin (Django's flags do not).
        staff = User.objects.create_user(STAFF, PASSWORD, first_name="Sam", last_name="Staff")
        Role.objects.create(user=staff, kind=Role.Kind.STAFF, body=org, starts_on=since,
                            note="Demo login")
    if not User.objects.filter(email=AUDITOR).exists():
        auditor = User.objects.create_user(AUDITOR, PASSWORD, first_name="Ada",
                                           last_name="Auditor")
        Role.objects.create(user=auditor, kind=Role.Kind.AUDITOR, body=org, starts_on=since,
                            note="Demo login")
    if not User.objects.filter(email=SECRETARY).exists():
        secretary = User.objects.create_user(SECRETARY, PASSWORD, first_name="Sue",
                                             last_name="Secretary")
        Role.objects.create(user=secretary, kind=Role.Kind.SECRETARY, body=branch,
                            starts_on=since, note="Demo login")
        _member(ctx, rng, secretary, branch, years=9)
    # The branch's own mailbox, shown on its page.
    Body.objects.filter(pk=branch.pk, contact_email="").update(
        contact_email="chingford.branch@demo.rankfile.org")
    if not User.objects.filter(email=MEMBER).exists():
        member = User.objects.create_user(MEMBER, PASSWORD, first_name="Mo", last_name="Member")
        _member(ctx, rng, member, branch, years=3)


def _member(ctx: DemoContext, rng: random.Random, user: User, branch: Body, *,
            years: int) -> Membership:
    """An active member in ``branch`` since ``years`` ago, paid up, with its history."""
    wards = WardPlacement.objects.on(timezone.localdate(ctx.now)).filter(branch=branch)
    place = (Postcode.objects.filter(ward__in=wards.values("ward"))
             .select_related("ward").order_by("postcode").first())
    assert place is not None, "the demo geography is loaded first"
    rate = Rate.objects.get(category__kind=Category.Kind.MEMBER, code="standard")
    applied = ctx.now - dt.timedelta(days=365 * years)
    joined = applied + dt.timedelta(minutes=12)

    def ref(prefix: str) -> str:
        return prefix + "".join(rng.choice(ALPHABET) for _ in range(8))

    membership = Membership.objects.create(
        reference=ref("RF-"), user=user, category=rate.category, rate=rate, status=S.ACTIVE,
        first_name=user.first_name, last_name=user.last_name,
        date_of_birth=dt.date(1980, 6, 1), address="1 Station Road", postcode=place.postcode,
        ward=place.ward, branch=branch, constituency=branch.parent,
        fee_pence=rate.amount_pence, applied_at=applied, joined_on=timezone.localdate(joined),
        good_standing_since=timezone.localdate(joined), email_confirmed_at=joined,
        consent_version=settings.PRIVACY_NOTICE_VERSION, consent_at=applied,
    )
    StatusChange.objects.bulk_create([
        StatusChange(membership=membership, from_status="", to_status=S.APPLIED, at=applied,
                     reason="Applied to join as a member"),
        StatusChange(membership=membership, from_status=S.APPLIED, to_status=S.ACTIVE,
                     at=joined, reason="First dues paid"),
    ])
    Payment.objects.create(
        membership=membership, reference=ref("PAY-"), amount_pence=rate.amount_pence,
        status=Payment.Status.PAID, method=Payment.Method.CARD, created_at=applied,
        paid_at=joined, receipt_number=ref("RCP-"), periods=1,
    )
    # Paid up since, by Direct Debit (one payment for them all). Its references come
    # from a generator of their own, so the logins' other references stay as they were.
    apart = random.Random(user.email)
    since = periods_started(timezone.localdate(joined), timezone.localdate(ctx.now), rate.period) - 1
    if since > 0:
        Payment.objects.create(
            membership=membership, amount_pence=since * rate.amount_pence, periods=since,
            reference="PAY-" + "".join(apart.choice(ALPHABET) for _ in range(8)),
            status=Payment.Status.PAID, method=Payment.Method.DIRECT_DEBIT,
            created_at=ctx.now - dt.timedelta(days=3), paid_at=ctx.now - dt.timedelta(days=3),
            receipt_number="RCP-" + "".join(apart.choice(ALPHABET) for _ in range(8)),
            note="Dues collected since joining (demo: one payment for them all)")
    return membership


def two_factor_is_loaded() -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user__email__in=OFFICERS,
                                        type=Authenticator.Type.TOTP).count() == len(OFFICERS)


def load_two_factor(ctx: DemoContext) -> None:
    """The demo officers' two-factor, ready to use: the app (``TOTP_SECRET``) and recovery
    codes, as if each had set it up."""
    load_two_factor_for(User.objects.filter(email__in=OFFICERS))


def load_two_factor_for(users: Iterable[User]) -> None:
    """An authenticator app (``TOTP_SECRET``) and recovery codes for each of ``users``
    that has none yet."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    for user in users:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, TOTP_SECRET)
        if not Authenticator.objects.filter(user=user,
                                            type=Authenticator.Type.RECOVERY_CODES).exists():
            RecoveryCodes.activate(user)


def two_factor_note() -> str:
    """How to pass the officers' two-factor step in the demo."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    now = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    return (f"Officers ({', '.join(OFFICERS)}) log in with two-factor: add the secret "
            f"{TOTP_SECRET} to an authenticator app (TOTP, 6 digits, 30 s), or use "
            f"`oathtool --totp -b {TOTP_SECRET}`. The code now is {now}. Their recovery "
            "codes are at /accounts/2fa/recovery-codes/ once logged in.")
