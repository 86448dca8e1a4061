"""Joining: applications from the web form and the API, and confirming the address.

``membership_apply`` is the one way in. It checks everything before it writes
anything, then writes the login, the membership (which says its confirmation
e-mail is due: the worker queues it), its first history row and the pending
payment in one short transaction: they commit together or not at all.

It is built for a surge (hundreds of sign-ups a second on SQLite): no password
is hashed (the joiner sets one from the confirmation link), the categories,
rates, windows and unions come from a short-lived cache, references are random
with the unique constraint as the only guard, and reads happen before the
write transaction so the write lock is held briefly.

A known e-mail address gets a *neutral* answer: the same shape as a new
application (a reference, and payment details if a fee would be due), from the
same work, so that neither the page, the API, the idempotency key, the public
counter nor the time taken reveals who is a member. A ``RepeatApplication``
records it (its references are real: staff can find them) and the address's
owner is e-mailed what happens next. ``JoinResult.neutral`` tells the caller;
it must never show the difference to the person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import dateformat, timezone
from django.utils.crypto import salted_hmac

from rankfile.accounts.models import User
from rankfile.accounts.services import email_address_confirm
from rankfile.branches.postcodes import normalise_postcode
from rankfile.branches.selectors import (
    WARD_OF_POSTCODE,
    Placement,
    place_in_ward,
    place_postcode,
)
from rankfile.core.db import allow_fast_path, first_read, insert_together, serialised_writes
from rankfile.core.errors import Conflict, Refusal
from rankfile.core.text import is_unreadable, refuse_bidi_controls
from rankfile.membership.models import (
    AffiliatedUnion,
    Category,
    JoiningWindow,
    Membership,
    Payment,
    Rate,
    RepeatApplication,
    StatusChange,
)
from rankfile.membership.services.payments import payment_instructions
from rankfile.membership.services.references import new_reference

__all__ = [
    "CategoryOffer",
    "JoinData",
    "JoinResult",
    "confirmation_token",
    "joining_offers",
    "joining_refusals",
    "membership_apply",
    "membership_confirm_email",
    "payment_instructions",
    "user_from_confirmation_token",
]

S = Membership.Status
K = Category.Kind
T = TypeVar("T")

# Categories, rates, windows and unions change rarely; a sign-up surge reads them
# hundreds of times a second. Window opening and closing is worked out from the
# cached times on each call, so only an edit to a window waits for the cache.
OFFERS_CACHE_KEY = "membership:offers"
OFFERS_CACHE_SECONDS = 5
MAX_AGE = 120
CONFIRM_SALT = "rankfile.membership.confirm"
CONFIRM_MAX_AGE = 30 * 24 * 3600


@dataclass(frozen=True)
class JoinData:
    category: str  # a Category.Kind value
    first_name: str
    last_name: str
    email: str
    postcode: str
    date_of_birth: dt.date
    consent: bool
    rate: str | None = None  # Rate.code, members only
    union: str | None = None  # AffiliatedUnion.code, affiliated supporters only
    union_number: str | None = None
    address: str = ""
    postcode_missing: bool = False  # the joiner says the postcode is missing from our list

    def fingerprint(self) -> str:
        body = dict(vars(self))  # every field is a plain value: no deep copy needed
        body["date_of_birth"] = str(self.date_of_birth)
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class JoinResult:
    """What an application produced.

    ``neutral`` is True when the e-mail address was already known: then
    ``membership`` and ``payment`` are unsaved stand-ins with throwaway
    references, shaped exactly like a real answer, and ``created`` is True as
    for a new application. Show them exactly as you would a real one.
    """

    membership: Membership
    payment: Payment | None  # the pending offline payment if a fee is due
    created: bool  # False when an idempotent retry returned the earlier result
    neutral: bool = False

    @property
    def reference(self) -> str:
        return self.membership.reference


@dataclass(frozen=True)
class CategoryOffer:
    """A category as the joining pages and the service see it, with its rates and windows."""

    category: Category
    rates: tuple[Rate, ...]
    windows: tuple[JoiningWindow, ...]  # by opening time

    @property
    def kind(self) -> str:
        return self.category.kind

    @property
    def as_a(self) -> str:
        """'a registered supporter', 'an affiliated supporter'."""
        return _a(self.category.name.lower())

    def open_window(self, now: dt.datetime) -> JoiningWindow | None:
        for window in self.windows:
            if window.opens_at <= now < window.closes_at:
                return window
        return None

    def next_window(self, now: dt.datetime) -> JoiningWindow | None:
        return next((w for w in self.windows if w.opens_at > now), None)

    def is_open(self, now: dt.datetime) -> bool:
        return not self.category.needs_window or self.open_window(now) is not None

    def closed_message(self, now: dt.datetime) -> str:
        """Why the category cannot be joined at ``now``, and when it can ("" if it can)."""
        if self.is_open(now):
            return ""
        upcoming = self.next_window(now)
        if upcoming is not None:
            return f"Registration as {self.as_a} opens on {format_when(upcoming.opens_at)}."
        past = [w for w in self.windows if w.closes_at <= now]
        if past:
            return (f"Registration as {self.as_a} closed on {format_when(past[-1].closes_at)}. "
                    "No new window has been announced.")
        return f"Registration as {self.as_a} is not open at the moment."

    def fee_pence(self, now: dt.datetime, rate: Rate | None = None) -> int:
        if self.kind == K.MEMBER:
            return rate.amount_pence if rate is not None else 0
        if self.kind == K.AFFILIATED_SUPPORTER:
            return 0
        window = self.open_window(now)
        return window.fee_pence if window is not None else 0


@dataclass(frozen=True)
class _Offers:
    by_kind: dict[str, CategoryOffer]
    unions: dict[str, AffiliatedUnion]


def format_when(moment: dt.datetime) -> str:
    """'Monday 18 July 2016 at 17:00', in the site's time zone."""
    return dateformat.format(timezone.localtime(moment), r"l j F Y \a\t H:i")


# Each process also keeps the offers for a second, so that a surge's sign-ups do
# not each unpickle them from the shared cache.
_local_offers: tuple[float, _Offers] | None = None
LOCAL_OFFERS_SECONDS = 1.0


def _offers() -> _Offers:
    global _local_offers
    moment = time.monotonic()
    if _local_offers is not None and _local_offers[0] > moment:
        return _local_offers[1]
    offers = cache.get(OFFERS_CACHE_KEY)
    if offers is None:
        categories = list(Category.objects.all())
        rates = list(Rate.objects.all())
        windows = list(JoiningWindow.objects.order_by("opens_at"))
        offers = _Offers(
            by_kind={
                c.kind: CategoryOffer(
                    category=c,
                    rates=tuple(r for r in rates if r.category_id == c.pk),
                    windows=tuple(w for w in windows if w.category_id == c.pk),
                )
                for c in categories
            },
            unions={u.code: u for u in AffiliatedUnion.objects.all()},
        )
        cache.set(OFFERS_CACHE_KEY, offers, OFFERS_CACHE_SECONDS)
    _local_offers = (moment + LOCAL_OFFERS_SECONDS, offers)
    return offers


def joining_offers_forget() -> None:
    """Drop the cached categories and windows (after staff edit them).

    Other processes see the edit within ``LOCAL_OFFERS_SECONDS``.
    """
    global _local_offers
    _local_offers = None
    cache.delete(OFFERS_CACHE_KEY)


def joining_offers() -> list[CategoryOffer]:
    """The categories one may join, in display order."""
    return sorted(_offers().by_kind.values(), key=lambda o: o.category.pk)


def affiliated_unions() -> list[AffiliatedUnion]:
    return sorted(_offers().unions.values(), key=lambda u: u.name)


def joining_offer(kind: str) -> CategoryOffer | None:
    return _offers().by_kind.get(kind)


# -- checking -------------------------------------------------------------------------------


def _clean_text(value: str | None, *, field: str, label: str, max_length: int,
                required: bool = True) -> str:
    value = " ".join((value or "").split()) if field != "address" else (value or "").strip()
    if required and not value:
        raise Refusal(f"Enter your {label}.", code="required", field=field)
    if len(value) > max_length:
        raise Refusal(f"Your {label} must be {max_length} characters or fewer.",
                      code="too_long", field=field)
    refuse_bidi_controls(value, field=field, label=label)
    # U+FFFD is what undecodable (non-UTF-8) bytes become; control characters never belong.
    if is_unreadable(value):
        raise Refusal(f"Your {label} contains characters that cannot be read. Type it again.",
                      code="unreadable", field=field)
    if field == "address":
        value = ", ".join(p.strip() for p in value.splitlines() if p.strip())
    return value


def _clean_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not email:
        raise Refusal("Enter your e-mail address.", code="required", field="email")
    if len(email) > 254:
        raise Refusal("Your e-mail address must be 254 characters or fewer.",
                      code="too_long", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise Refusal("Enter an e-mail address like name@example.org.",
                      code="invalid_email", field="email") from None
    return email


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a year that has none
        return dt.date(born.year + years, 3, 1)


def _check_age(offer: CategoryOffer, born: dt.date, today: dt.date) -> None:
    if not isinstance(born, dt.date):
        raise Refusal("Enter your date of birth.", code="required", field="date_of_birth")
    if born > today:
        raise Refusal("Your date of birth cannot be in the future.",
                      code="invalid_date_of_birth", field="date_of_birth")
    if _birthday(born, MAX_AGE) <= today:
        raise Refusal(f"Check your date of birth: it makes you older than {MAX_AGE}.",
                      code="invalid_date_of_birth", field="date_of_birth")
    minimum = offer.category.minimum_age
    comes_of_age = _birthday(born, minimum)
    if comes_of_age > today:
        raise Refusal(
            f"You must be {minimum} or older to join as {offer.as_a}. "
            f"You can join from {dateformat.format(comes_of_age, 'j F Y')}.",
            code="too_young", field="date_of_birth",
        )


def _shown(raw: str) -> str:
    raw = " ".join((raw or "").split())
    return raw if len(raw) <= 20 else raw[:20] + "…"


@dataclass(frozen=True)
class _Checked:
    offer: CategoryOffer
    window: JoiningWindow | None
    rate: Rate | None
    union: AffiliatedUnion | None
    union_number: str
    first_name: str
    last_name: str
    email: str
    address: str
    postcode: str
    placement: Placement | None
    fee_pence: int


def _a(name: str) -> str:
    """'a member', 'an affiliated supporter'."""
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _kinds_in_words() -> str:
    """'a member, an affiliated supporter or a registered supporter'."""
    names = [_a(str(label).lower()) for label in Category.Kind.labels]
    return ", ".join(names[:-1]) + " or " + names[-1]


class _Gather:
    """Runs an application's checks: stops at the first refusal, or with ``every``
    keeps each one and goes on (a failed check then gives None)."""

    def __init__(self, every: list[Refusal] | None) -> None:
        self.every = every

    def __call__(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return check(*args, **kwargs)
        except Refusal as refusal:
            if self.every is None:
                raise
            self.every.append(refusal)
            return None


def _check_rate(offer: CategoryOffer, data: JoinData) -> Rate | None:
    if offer.kind != K.MEMBER:
        return None
    rate = next((r for r in offer.rates if r.code == data.rate), None)
    if rate is None:
        raise Refusal("Choose the rate you will pay.", code="unknown_rate", field="rate")
    return rate


def _check_union(offers: _Offers, offer: CategoryOffer, data: JoinData
                 ) -> tuple[AffiliatedUnion | None, str]:
    if offer.kind != K.AFFILIATED_SUPPORTER:
        return None, ""
    union = offers.unions.get(data.union or "")
    if union is None:
        raise Refusal("Choose your trade union from the list.", code="unknown_union",
                      field="union")
    return union, _clean_text(data.union_number, field="union_number",
                              label=f"membership number with {union.name}", max_length=40)


def _check_postcode(data: JoinData, today: dt.date, found: _Found | None = None
                    ) -> tuple[str, Placement | None]:
    postcode = normalise_postcode(data.postcode or "")
    if postcode is None:
        if not (data.postcode or "").strip():
            raise Refusal("Enter your postcode.", code="required", field="postcode")
        raise Refusal(f"‘{_shown(data.postcode)}’ is not a UK postcode. "
                      "Enter it like E17 0AB.", code="invalid_postcode", field="postcode")
    if found is not None and found.postcode == postcode:  # its ward already read
        placement = place_in_ward(postcode, found.ward_id, on=today)
    else:
        placement = place_postcode(postcode, on=today)
    if placement is None and not data.postcode_missing:
        raise Refusal(
            f"We could not find {postcode} in our list of postcodes. Check it, or tick "
            "‘My postcode is missing from your list’ and staff will place you by hand.",
            code="unknown_postcode", field="postcode",
        )
    return postcode, placement


def _check_consent(data: JoinData) -> None:
    if data.consent is not True:
        raise Refusal("To join, tick the box to agree that we may hold your political opinion "
                      "as the privacy notice says.", code="consent_required", field="consent")


def _check(data: JoinData, now: dt.datetime, every: list[Refusal] | None = None,
           found: _Found | None = None) -> _Checked | None:
    """Every rule, in the order of the form. Reads only.

    Raises the first Refusal; or, given a list ``every``, adds each refusal to it
    (one per field) and returns None if there was any. ``found``: what ``_look_up``
    read already (the postcode's ward), so as not to read it again.
    """
    offers = _offers()
    offer = offers.by_kind.get(data.category or "")
    if offer is None:
        raise Refusal(f"Choose how you want to join: as {_kinds_in_words()}.",
                      code="unknown_category", field="category")
    window = offer.open_window(now)
    if offer.category.needs_window and window is None:
        raise Refusal(offer.closed_message(now), code="window_closed", field="category")

    check = _Gather(every)
    rate = check(_check_rate, offer, data)
    union, union_number = check(_check_union, offers, offer, data) or (None, "")
    first_name = check(_clean_text, data.first_name, field="first_name", label="first name",
                       max_length=100)
    last_name = check(_clean_text, data.last_name, field="last_name", label="last name",
                      max_length=100)
    # Cleaned already to be looked up (the same function: no need to check it twice).
    email = found.email if found is not None else check(_clean_email, data.email)
    today = timezone.localdate(now)
    check(_check_age, offer, data.date_of_birth, today)
    address = check(_clean_text, data.address, field="address", label="address",
                    max_length=300, required=False)
    postcode, placement = check(_check_postcode, data, today, found) or ("", None)
    check(_check_consent, data)
    if every:
        return None
    assert first_name is not None and last_name is not None and email is not None
    return _Checked(
        offer=offer, window=window, rate=rate, union=union, union_number=union_number,
        first_name=first_name, last_name=last_name, email=email, address=address or "",
        postcode=postcode, placement=placement, fee_pence=offer.fee_pence(now, rate),
    )


def joining_refusals(*, data: JoinData, now: dt.datetime | None = None) -> list[Refusal]:
    """Every refusal ``data`` meets, in the order of the form (at most one per field), so
    that a form can show them all at once. Reads only; ``membership_apply`` raises the
    first of them."""
    found: list[Refusal] = []
    try:
        _check(data, now or timezone.now(), every=found)
    except Refusal as refusal:  # the category or its window: nothing else can be checked
        return [refusal]
    return found


# -- applying -------------------------------------------------------------------------------

# The models a sign-up writes through insert_together. The login's save()
# (AbstractBaseUser's) only reports a password set with set_password(), which a
# sign-up never calls.
JOIN_ROW_MODELS = (User, Membership, StatusChange, Payment, RepeatApplication)
USER_SAVE = "django.contrib.auth.base_user.AbstractBaseUser.save"


def allow_join_rows() -> None:
    """Declare the sign-up's rows fit for ``insert_together`` (from ``MembershipConfig.ready``)."""
    for model in JOIN_ROW_MODELS:
        allow_fast_path(model, save=USER_SAVE if model is User else None)


def _expiry(now: dt.datetime, fee_pence: int) -> dt.datetime | None:
    if not fee_pence:
        return None
    return now + dt.timedelta(hours=settings.UNPAID_APPLICATION_EXPIRY_HOURS)


def _earlier(key: str | None, fingerprint: str) -> JoinResult | None:
    """The answer already given under ``key``, new address or known, or None.

    Both kinds of application share one key space, looked up the same way, so
    that reusing a key with another address answers alike whichever address the
    key first came with.

    Raises:
        Conflict: the key came with other details.
    """
    if not key:
        return None
    membership = next(iter(Membership.objects.filter(idempotency_key=key).order_by()[:1]), None)
    repeat = None if membership is not None else next(
        iter(RepeatApplication.objects.filter(idempotency_key=key).select_related("category")
             .order_by()[:1]), None)
    if membership is None and repeat is None:
        return None
    earlier_fingerprint = (membership or repeat).request_fingerprint  # type: ignore[union-attr]
    if earlier_fingerprint != fingerprint:
        raise Conflict(
            "This form was already sent with different details. Start again from the "
            "joining page.", code="idempotency_key_reused", field=None,
        )
    if membership is not None:
        payment = membership.payments.order_by("created_at").first()
        return JoinResult(membership=membership, payment=payment, created=False)
    assert repeat is not None
    return _repeat_answer(repeat, created=False)


@dataclass(frozen=True)
class _Found:
    """What one statement read before a sign-up writes (see ``_look_up``)."""

    key_used: bool  # the Idempotency-Key came before, with a new or a known address
    email: str  # the address looked up, as _clean_email gave it
    user_id: int | None  # the login that has the address, if any
    postcode: str | None  # the normalised postcode whose ward was read, if any
    ward_id: int | None  # its ward; None if it is not in our list


def _look_up(key: str | None, email: str, postcode: str | None = None) -> _Found:
    """Whether ``key`` was used already (by a new or a known address), the login
    that has ``email``, and the ward of ``postcode`` (normalised) if given: one
    statement, one round trip, whichever the answers. A new and a known address
    read the same; the ward is read here rather than by ``_check`` because every
    round trip costs a sign-up under a surge (bench/RESULTS.md)."""
    memberships = connection.ops.quote_name(Membership._meta.db_table)
    repeats = connection.ops.quote_name(RepeatApplication._meta.db_table)
    users = connection.ops.quote_name(User._meta.db_table)
    sql = (f"SELECT (SELECT 1 FROM {memberships} WHERE idempotency_key = %s), "
           f"(SELECT 1 FROM {repeats} WHERE idempotency_key = %s), "
           f"(SELECT id FROM {users} WHERE email = %s)")
    params: list[Any] = [key, key, email]
    if postcode is not None:
        sql += f", {WARD_OF_POSTCODE}"
        params.append(postcode)
    # The request's first statement: it also checks a kept connection (first_read).
    row = first_read(sql, params)
    assert row is not None  # a SELECT without FROM has one row
    return _Found(key_used=bool(row[0] or row[1]), email=email, user_id=row[2],
                  postcode=postcode,
                  ward_id=row[3] if postcode is not None else None)


def _look_up_first(key: str | None, data: JoinData) -> _Found | None:
    """``_look_up`` for an application not yet checked: None when its address cannot
    be an address (``_check`` then refuses it, and nothing need be read)."""
    try:
        email = _clean_email(data.email)
    except Refusal:
        return None
    return _look_up(key, email, normalise_postcode(data.postcode or ""))


def _repeat_answer(repeat: RepeatApplication, *, created: bool) -> JoinResult:
    """The answer to a known address, shaped exactly as a new application's."""
    membership = Membership(reference=repeat.reference, category=repeat.category,
                            status=repeat.status, fee_pence=repeat.amount_pence,
                            applied_at=repeat.applied_at)
    payment = None
    if repeat.payment_reference:
        payment = Payment(membership=membership, reference=repeat.payment_reference,
                          amount_pence=repeat.amount_pence, created_at=repeat.applied_at)
    return JoinResult(membership=membership, payment=payment, created=created, neutral=True)


def _write(rows: list[Model]) -> None:
    """Insert ``rows``: all or none, in one statement on PostgreSQL. New and known
    addresses both write this way: the same work. Their e-mail is due by a flag
    in the rows themselves (``membership.tasks``): no job row.

    With ``JOIN_WRITE_PATH = "orm"`` (benchmarks, and the save()-parity test)
    the same rows go through ``save()`` in one transaction: the yardstick the
    fast path is measured against."""
    if settings.JOIN_WRITE_PATH == "orm":
        with serialised_writes(), transaction.atomic():
            for row in rows:
                row.save(force_insert=True)
        return
    insert_together(*rows)


def _activates(checked: _Checked) -> bool:
    # No fee and no union to check: the joiner's own application activates it.
    return not checked.fee_pence and checked.offer.kind != K.AFFILIATED_SUPPORTER


def _repeat(checked: _Checked, user_id: int, key: str | None, fingerprint: str,
            now: dt.datetime, references: _References) -> JoinResult:
    """A known address: record the application and tell the address's owner."""
    repeat = RepeatApplication(
        reference=references.membership, user_id=user_id, category=checked.offer.category,
        status=S.ACTIVE if _activates(checked) else S.APPLIED,
        payment_reference=references.payment,
        amount_pence=checked.fee_pence, applied_at=now,
        idempotency_key=key, request_fingerprint=fingerprint, notice_due=True,
    )
    _write([repeat])
    return _repeat_answer(repeat, created=True)


@dataclass(frozen=True)
class _References:
    """The random references one attempt at a sign-up writes."""

    membership: str
    payment: str | None  # only when a fee is due

    @classmethod
    def draw(cls, fee_pence: int) -> _References:
        return cls(new_reference("RF-"), new_reference("PAY-") if fee_pence else None)

    def taken(self) -> bool:
        """Whether a row already holds one of them: a repeat, not a broken write."""
        repeats = RepeatApplication.objects
        return (Membership.objects.filter(reference=self.membership).exists()
                or repeats.filter(reference=self.membership).exists()
                or (self.payment is not None
                    and (Payment.objects.filter(reference=self.payment).exists()
                         or repeats.filter(payment_reference=self.payment).exists())))


def _create(checked: _Checked, data: JoinData, key: str | None, fingerprint: str,
            now: dt.datetime, references: _References) -> JoinResult:
    placement = checked.placement
    offer = checked.offer
    fee = checked.fee_pence
    via = f" through {checked.window.name}" if checked.window is not None else ""
    activate = _activates(checked)
    today = timezone.localdate(now)

    # Everything is built before the transaction: on SQLite the write lock is
    # held from BEGIN to COMMIT, so the time inside it caps the surge's rate.
    user = User(email=checked.email, first_name=checked.first_name[:150],
                last_name=checked.last_name[:150], date_joined=now)
    # No hashing: the joiner sets a password from the e-mail. This is what
    # set_unusable_password() stores, with one call for the random part, not 40.
    user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
    membership = Membership(
        reference=references.membership, user=user, category=offer.category,
        window=checked.window, rate=checked.rate, status=S.ACTIVE if activate else S.APPLIED,
        first_name=checked.first_name, last_name=checked.last_name,
        date_of_birth=data.date_of_birth, address=checked.address,
        postcode=checked.postcode,
        ward=placement.ward if placement else None,
        branch=placement.branch if placement else None,
        constituency=placement.constituency if placement else None,
        needs_placement=placement is None or placement.branch is None,
        union=checked.union, union_number=checked.union_number,
        fee_pence=fee, applied_at=now, expires_at=_expiry(now, fee),
        joined_on=today if activate else None,
        good_standing_since=today if activate else None,
        consent_version=settings.PRIVACY_NOTICE_VERSION, consent_at=now,
        idempotency_key=key, request_fingerprint=fingerprint, confirmation_due=True,
    )
    rows: list[Model] = [user, membership, StatusChange(
        membership=membership, from_status="", to_status=S.APPLIED, at=now,
        reason=f"Applied to join as {offer.as_a}{via}")]
    if activate:
        # The joiner's own application activates it: no officer decides. Written
        # with the application (as _set_status would write it), in the same statement.
        rows.append(StatusChange(membership=membership, from_status=S.APPLIED,
                                 to_status=S.ACTIVE, at=now,
                                 reason=f"Joined as {offer.as_a}{via}; no fee was due"))
    payment = None
    if fee:
        assert references.payment is not None  # drawn whenever a fee is due
        # A member's fee is the first period's dues at their rate.
        payment = Payment(membership=membership, provider="offline",
                          reference=references.payment, amount_pence=fee, created_at=now,
                          periods=1 if checked.rate is not None else None)
        rows.append(payment)
    _write(rows)
    return JoinResult(membership=membership, payment=payment, created=True)


def membership_apply(*, data: JoinData, idempotency_key: str | None = None,
                     now: dt.datetime | None = None) -> JoinResult:
    """Apply to join, or answer a retry of an earlier application.

    With a fee due the membership is ``applied`` with a pending offline payment
    and expires unpaid after ``UNPAID_APPLICATION_EXPIRY_HOURS``; an affiliated
    supporter stays ``applied`` until the union membership is verified; with no
    fee (a free window) it is active at once. The membership says its
    confirmation e-mail is due (``confirmation_due``); the worker queues it.

    An address that already has a login gets the same answer, from the same
    work (the same reads, one write): a ``RepeatApplication`` is
    recorded and its owner is e-mailed, nothing of theirs changes.

    Args:
        data: the application.
        idempotency_key: the same key sent again returns the first answer, even
            when the retry arrives while the first is still being written (the
            unique key makes the retry wait for it, then read it).
        now: the moment of application (tests).

    Returns:
        The result; see ``JoinResult`` for the neutral answer to a known address.

    Raises:
        Refusal: with ``field`` naming the JoinData field at fault. Nothing is written.
        Conflict: ``idempotency_key_reused`` when ``idempotency_key`` came with other
            details, whatever address it first came with.
    """
    now = now or timezone.now()
    key = (idempotency_key or "").strip()[:100] or None
    fingerprint = data.fingerprint()
    # The same read for a new and a known address: one statement, which also reads
    # the postcode's ward for the checks.
    found = _look_up_first(key, data)
    try:
        checked = _check(data, now, found=found)
        assert checked is not None and found is not None
    except Refusal:
        earlier = _earlier(key, fingerprint)
        if earlier is not None:  # a retry after the window closed still gets its answer
            return earlier
        raise

    for attempt in range(3):
        if found.key_used:
            earlier = _earlier(key, fingerprint)
            if earlier is not None:
                return earlier
        references = _References.draw(checked.fee_pence)
        try:
            if found.user_id is not None:
                return _repeat(checked, found.user_id, key, fingerprint, now, references)
            return _create(checked, data, key, fingerprint, now, references)
        except IntegrityError as error:
            # A retry or an application with the same address got in first (it is
            # read at the next attempt), or a random reference repeated (about once
            # in 10**12): try again. Anything else is a broken write, which must not
            # pass for one of them.
            again = _look_up(key, checked.email)
            if not (again.key_used or again.user_id != found.user_id or references.taken()):
                error.add_note("membership_apply: not a reused Idempotency-Key, a known "
                               "address or a repeated reference.")
                raise
            if attempt == 2:
                raise
            found = again
    raise AssertionError("unreachable")


# -- confirming the address -------------------------------------------------------------------


def _password_mark(user: User) -> str:
    # Changes when a password is set, so a used link cannot set it again.
    return salted_hmac(CONFIRM_SALT, f"{user.pk}:{user.password}").hexdigest()[:16]


def confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "p": _password_mark(user)}, salt=CONFIRM_SALT)


def user_from_confirmation_token(token: str) -> User:
    """The joiner a confirmation link was made for.

    Raises:
        Refusal: the link is broken, out of date or already used.
    """
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise Refusal("This link has expired. Log in or reset your password to continue.",
                      code="link_expired") from None
    except signing.BadSignature:
        raise Refusal("This link is not complete. Copy the whole link from the e-mail.",
                      code="link_invalid") from None
    user = User.objects.filter(pk=value.get("u")).first()
    if user is None or value.get("p") != _password_mark(user):
        raise Refusal("This link has already been used. Log in with your e-mail address and "
                      "password.", code="link_used")
    return user


def membership_confirm_email(*, user: User, password: str, now: dt.datetime | None = None) -> int:
    """Confirm ``user``'s address on their memberships and set their password.

    The caller has checked the confirmation link (``user_from_confirmation_token``)
    and the password (``SetPasswordForm``).

    Returns:
        The number of memberships confirmed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        user.password = make_password(password)
        user.save(update_fields=["password"])
        # Only the address's owner had the link: allauth's list shows it verified.
        email_address_confirm(user=user)
        return Membership.objects.filter(user=user, email_confirmed_at__isnull=True).update(
            email_confirmed_at=now
        )
