"""Synthetic demo people: members and supporters in every status, with their history.

Everything comes from one seeded ``random.Random`` so every load makes the same
people (apart from times, which are relative to the moment of loading). Rows
are written with ``bulk_create`` and users get unusable passwords: hashing
5,000 passwords would take minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Postcode, WardPlacement
from rankfile.demo.membership import LEADERSHIP_WINDOW, PAST_WINDOW
from rankfile.demo.names import FIRST_NAMES, LAST_NAMES
from rankfile.membership.models import (
    GOOD_STANDING,
    AffiliatedUnion,
    Category,
    JoiningWindow,
    Membership,
    Payment,
    Rate,
    StatusChange,
)
from rankfile.membership.services.dues import periods_started

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

S = Membership.Status
K = Category.Kind
Choice = TypeVar("Choice")
# Crockford's base32, as the joining service's references use.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
EMAIL_DOMAIN = "example.org"

# How many of each kind, out of 100.
KIND_WEIGHTS = {K.MEMBER: 60, K.AFFILIATED_SUPPORTER: 15, K.REGISTERED_SUPPORTER: 25}
MEMBER_STATUSES = {S.ACTIVE: 78, S.IN_ARREARS: 8, S.LAPSED: 6, S.SUSPENDED: 1.5,
                   S.RESIGNED: 4.5}
METHODS = {Payment.Method.CARD: 70, Payment.Method.BANK: 20, Payment.Method.CHEQUE: 6,
           Payment.Method.CASH: 4}


def email_for(first: str, last: str, number: int) -> str:
    def ascii_slug(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(c for c in plain.lower() if c.isalnum())

    return f"{ascii_slug(first)}.{ascii_slug(last)}.{number}@{EMAIL_DOMAIN}"


def is_loaded() -> bool:
    return User.objects.filter(email__endswith=f".1@{EMAIL_DOMAIN}").exists()


@dataclass
class _Demo:
    """The rows being built, and what they are built from."""

    ctx: DemoContext
    rng: random.Random
    now: dt.datetime
    categories: dict[str, Category]
    rates: dict[str, Rate]
    past_window: JoiningWindow
    leadership: JoiningWindow
    unions: list[AffiliatedUnion]
    places: list[tuple[str, int, int, int]]  # postcode, ward, branch, constituency
    users: list[User] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    # Per membership (same index): its history and payments, without the membership.
    histories: list[list[StatusChange]] = field(default_factory=list)
    payments: list[list[Payment]] = field(default_factory=list)
    # Dues paid since joining are drawn apart from the people, so that adding them
    # left every demo person (and their references) as it was.
    dues_rng: random.Random = field(default_factory=lambda: random.Random(1016))

    def reference(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice(ALPHABET) for _ in range(8))

    def reference_apart(self, prefix: str) -> str:
        """A reference that does not draw on ``rng``, so the people stay the same."""
        return prefix + "".join(self.dues_rng.choice(ALPHABET) for _ in range(8))

    def pick(self, weights: Mapping[Choice, float]) -> Choice:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]


def _places() -> list[tuple[str, int, int, int]]:
    today = timezone.localdate()
    branch_of = dict(WardPlacement.objects.on(today).values_list("ward_id", "branch_id"))
    rows = Postcode.objects.filter(ward_id__in=branch_of).order_by("postcode").values_list(
        "postcode", "ward_id", "ward__constituency_id")
    return [(pc, ward, branch_of[ward], con) for pc, ward, con in rows]


def load(ctx: DemoContext) -> None:
    categories = {c.kind: c for c in Category.objects.all()}
    registered = categories[K.REGISTERED_SUPPORTER]
    demo = _Demo(
        ctx=ctx, rng=random.Random(2016), now=ctx.now, categories=categories,
        rates={r.code: r for r in Rate.objects.filter(category=categories[K.MEMBER])},
        past_window=JoiningWindow.objects.get(category=registered, name=PAST_WINDOW),
        leadership=JoiningWindow.objects.get(category=registered, name=LEADERSHIP_WINDOW),
        unions=list(AffiliatedUnion.objects.order_by("code")),
        places=_places(),
    )
    for number in range(1, ctx.people + 1):
        _person(demo, number)
    _write(demo)
    counts: dict[str, int] = {}
    for m in demo.memberships:
        counts[m.status] = counts.get(m.status, 0) + 1
    ctx.out(f"  {len(demo.memberships)} people: "
            + ", ".join(f"{n} {S(s).label.lower()}" for s, n in sorted(counts.items())))


def _write(demo: _Demo) -> None:
    User.objects.bulk_create(demo.users, batch_size=500)
    for user, membership in zip(demo.users, demo.memberships, strict=True):
        membership.user = user
    Membership.objects.bulk_create(demo.memberships, batch_size=500)
    changes, payments = [], []
    for membership, history, paid in zip(demo.memberships, demo.histories, demo.payments,
                                         strict=True):
        for change in history:
            change.membership = membership
            changes.append(change)
        for payment in paid:
            payment.membership = membership
            payments.append(payment)
    StatusChange.objects.bulk_create(changes, batch_size=500)
    Payment.objects.bulk_create(payments, batch_size=500)


def _person(demo: _Demo, number: int) -> None:
    rng, now = demo.rng, demo.now
    kind = demo.pick(KIND_WEIGHTS)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    postcode, ward, branch, constituency = rng.choice(demo.places)
    age_days = rng.randint(16 * 365, 88 * 365)
    membership = Membership(
        reference=demo.reference("RF-"), category=demo.categories[kind],
        first_name=first, last_name=last,
        date_of_birth=timezone.localdate(now) - dt.timedelta(days=age_days),
        address=f"{rng.randint(1, 240)} {rng.choice(STREETS)}", postcode=postcode,
        ward_id=ward, branch_id=branch, constituency_id=constituency,
        consent_version=settings.PRIVACY_NOTICE_VERSION,
        applied_at=now,  # set below
        consent_at=now,
    )
    history: list[StatusChange] = []
    payments: list[Payment] = []
    if kind == K.MEMBER:
        _member(demo, membership, history, payments)
    elif kind == K.AFFILIATED_SUPPORTER:
        _affiliated(demo, membership, history)
    else:
        _registered(demo, membership, history, payments)
    membership.consent_at = membership.applied_at
    if membership.status != S.APPLIED or rng.random() < 0.7:
        confirmed = membership.applied_at + dt.timedelta(minutes=rng.randint(1, 30))
        membership.email_confirmed_at = min(confirmed, now)
    demo.users.append(User(
        email=email_for(first, last, number), first_name=first, last_name=last,
        date_joined=membership.applied_at,
    ))
    demo.users[-1].set_unusable_password()
    demo.memberships.append(membership)
    demo.histories.append(history)
    demo.payments.append(payments)


def _recent(demo: _Demo, hours: float) -> dt.datetime:
    """A moment in the last ``hours``, more likely the nearer it is to now (a surge)."""
    return demo.now - dt.timedelta(hours=hours * (1 - demo.rng.random() ** 0.5))


def _long_ago(demo: _Demo, *, max_years: int, min_days: int = 3) -> dt.datetime:
    days = min(demo.rng.expovariate(1 / 700) + min_days, max_years * 365)
    return demo.now - dt.timedelta(days=days, seconds=demo.rng.randint(0, 86_399))


def _between(demo: _Demo, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    return start + (end - start) * demo.rng.random()


def _change(history: list[StatusChange], membership: Membership, to: str, at: dt.datetime,
            reason: str) -> None:
    """Record a change of status and keep the membership's dates as the service would."""
    history.append(StatusChange(from_status=membership.status if history else "", to_status=to,
                                at=at, reason=reason))
    previous = membership.status if history[:-1] else None
    membership.status = to
    day = timezone.localdate(at)
    if to in GOOD_STANDING:
        membership.joined_on = membership.joined_on or day
        if previous not in GOOD_STANDING:
            membership.good_standing_since = day
            membership.ended_on = None
    elif to != S.APPLIED:
        membership.good_standing_since = None
        if to in (S.LAPSED, S.RESIGNED, S.EXPELLED, S.EXPIRED):
            membership.ended_on = day
    if to != S.APPLIED:
        membership.expires_at = None


def _pay(demo: _Demo, membership: Membership, payments: list[Payment], *, paid: bool,
         at: dt.datetime | None = None) -> None:
    payment = Payment(
        reference=demo.reference("PAY-"), amount_pence=membership.fee_pence,
        created_at=membership.applied_at,
        # A member's fee is the first period's dues.
        periods=1 if membership.rate is not None else None,
    )
    if paid:
        payment.status = Payment.Status.PAID
        payment.paid_at = at
        payment.method = demo.pick(METHODS)
        payment.receipt_number = demo.reference("RCP-")
    payments.append(payment)


def _applied(demo: _Demo, membership: Membership, history: list[StatusChange], as_a: str,
             via: str = "") -> None:
    membership.status = S.APPLIED
    _change(history, membership, S.APPLIED, membership.applied_at,
            f"Applied to join as {as_a}{via}")


def _unpaid(demo: _Demo, membership: Membership, payments: list[Payment]) -> None:
    membership.expires_at = membership.applied_at + dt.timedelta(
        hours=settings.UNPAID_APPLICATION_EXPIRY_HOURS)
    _pay(demo, membership, payments, paid=False)


# The least time, in days, a member must have joined before reaching a status.
# In arrears: dues more than 60 days overdue (docs/dues.md), so joined over 100 days ago.
MIN_DAYS = {S.ACTIVE: 3, S.IN_ARREARS: 100, S.LAPSED: 250, S.SUSPENDED: 30, S.RESIGNED: 30}


def _member(demo: _Demo, m: Membership, history: list[StatusChange],
            payments: list[Payment]) -> None:
    rng = demo.rng
    m.rate = demo.rates["reduced" if rng.random() < 0.2 else "standard"]
    m.fee_pence = m.rate.amount_pence
    recent = rng.random() < 0.08
    status = S.ACTIVE if recent else demo.pick(MEMBER_STATUSES)
    m.applied_at = (_recent(demo, 48) if recent
                    else _long_ago(demo, max_years=12, min_days=MIN_DAYS[status]))
    _applied(demo, m, history, "a member")
    if recent and rng.random() < 0.6:
        _unpaid(demo, m, payments)
        return
    paid_at = min(m.applied_at + dt.timedelta(minutes=rng.randint(1, 90)), demo.now)
    _pay(demo, m, payments, paid=True, at=paid_at)
    _change(history, m, S.ACTIVE, paid_at, "First dues paid")
    if status in (S.ACTIVE, S.IN_ARREARS):
        _dues_to_date(demo, m, payments, behind=status == S.IN_ARREARS)
    if status == S.ACTIVE:
        return
    if status in (S.IN_ARREARS, S.LAPSED):
        # Two months unpaid puts a member in arrears; six months more, lapsed.
        last = demo.now - dt.timedelta(days=180 if status == S.LAPSED else 5)
        behind = _between(demo, paid_at + dt.timedelta(days=60), last)
        _change(history, m, S.IN_ARREARS, behind, "Dues unpaid for two months")
        if status == S.LAPSED:
            _change(history, m, S.LAPSED, behind + dt.timedelta(days=180),
                    "Dues unpaid for eight months")
    elif status == S.SUSPENDED:
        _change(history, m, S.SUSPENDED, _between(demo, paid_at, demo.now),
                "Suspended by the national executive pending an investigation")
    else:
        _change(history, m, S.RESIGNED, _between(demo, paid_at, demo.now),
                "Resigned by letter to the branch secretary")


def _dues_to_date(demo: _Demo, m: Membership, payments: list[Payment], *, behind: bool) -> None:
    """The dues a member paid after joining, as one payment: up to date, or in arrears.

    A member in arrears stopped paying three to six months ago (more than the
    60 days of the rules, less than the 240 that lapse); the others are paid up.
    """
    assert m.rate is not None and m.joined_on is not None
    today = timezone.localdate(demo.now)
    stopped = today - dt.timedelta(days=demo.dues_rng.randint(92, 190) if behind else 0)
    periods = periods_started(m.joined_on, stopped, m.rate.period) - 1
    if periods < 1:
        return
    at = demo.now - dt.timedelta(days=(today - stopped).days + demo.dues_rng.randint(1, 25))
    payments.append(Payment(
        reference=demo.reference_apart("PAY-"), amount_pence=periods * m.rate.amount_pence,
        periods=periods, created_at=at, paid_at=at, status=Payment.Status.PAID,
        method=(Payment.Method.DIRECT_DEBIT if demo.dues_rng.random() < 0.7
                else Payment.Method.BANK),
        receipt_number=demo.reference_apart("RCP-"),
        note="Dues collected since joining (demo: one payment for them all)"))


def _affiliated(demo: _Demo, m: Membership, history: list[StatusChange]) -> None:
    rng = demo.rng
    m.union = rng.choice(demo.unions)
    m.union_number = str(rng.randint(10_000_000, 99_999_999))
    recent = rng.random() < 0.15
    m.applied_at = _recent(demo, 48) if recent else _long_ago(demo, max_years=6)
    _applied(demo, m, history, "an affiliated supporter")
    roll = rng.random()
    if recent and roll < 0.5:
        return  # Waiting for the union to confirm the membership.
    verified = min(m.applied_at + dt.timedelta(hours=rng.randint(1, 72)), demo.now)
    _change(history, m, S.ACTIVE, verified, f"Membership of {m.union.name} verified")
    if roll > 0.95:
        _change(history, m, S.RESIGNED, _between(demo, verified, demo.now),
                "Asked to stop being an affiliated supporter")


def _registered(demo: _Demo, m: Membership, history: list[StatusChange],
                payments: list[Payment]) -> None:
    rng = demo.rng
    if rng.random() < 0.3:
        window = demo.past_window
        m.applied_at = _between(demo, window.opens_at, window.closes_at)
    else:
        # The surge: sign-ups pile up through the open leadership window.
        window = demo.leadership
        opened = max(window.opens_at, demo.now - dt.timedelta(hours=48))
        m.applied_at = _recent(demo, (demo.now - opened).total_seconds() / 3600)
    m.window = window
    m.fee_pence = window.fee_pence
    _applied(demo, m, history, "a registered supporter", f" through {window.name}")
    if window == demo.leadership and rng.random() < 0.25:
        _unpaid(demo, m, payments)
        return
    paid_at = min(m.applied_at + dt.timedelta(minutes=rng.randint(1, 20)), demo.now)
    _pay(demo, m, payments, paid=True, at=paid_at)
    _change(history, m, S.ACTIVE, paid_at, f"Paid the £{window.fee_pence / 100:.2f} fee")


STREETS = (
    "Hoe Street", "Forest Road", "Chingford Mount Road", "Lea Bridge Road", "Wood Street",
    "Hale End Road", "Station Road", "The Avenue", "Church Hill", "Grove Road", "Larkshall Road",
    "High Road Leytonstone", "Francis Road", "Markhouse Road", "Higham Hill Road",
    "Cann Hall Road", "Leyton High Road", "Chapel Road", "Orford Road", "Valley Side",
)
