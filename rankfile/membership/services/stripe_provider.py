"""Stripe: cards and Bacs Direct Debit through Stripe Checkout, and Stripe's webhook.

A payer is sent to a Checkout session (``checkout_start``, or
``dues_subscription_start`` for monthly or yearly Direct Debit); Stripe tells
us what happened through the webhook (``stripe_webhook_receive``), and only
the webhook records money. Its signature is checked with the ``stripe``
library, so a forged or replayed request is refused; each event's id is stored
in the same transaction as the change it made, so an event delivered twice is
applied once.

Every request to Stripe goes through ``stripe_client()``, whose HTTP client
comes from ``http_client()``: the one function tests replace, so that nothing
leaves the process and the library itself still builds and parses every
request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rankfile.accounts.http import AnyUser
from rankfile.core.errors import NotFound, Refusal
from rankfile.membership.models import (
    GOOD_STANDING,
    CheckoutSession,
    Membership,
    Payment,
    Refund,
    StripeEvent,
    StripeSubscription,
)
from rankfile.membership.services.payments import (
    format_pence,
    payment_check_recordable,
    payment_mark_paid,
)
from rankfile.membership.services.references import new_reference

logger = logging.getLogger("rankfile.payments.stripe")

S = Membership.Status
CURRENCY = "gbp"
# A Checkout session lasts an hour (Stripe allows 30 minutes to a day); one with
# less than REUSE_MARGIN left is not offered again.
SESSION_LIFETIME = dt.timedelta(hours=1)
REUSE_MARGIN = dt.timedelta(minutes=10)
# Stripe's events are a few kilobytes; anything far bigger is not from Stripe.
MAX_WEBHOOK_BYTES = 256 * 1024
METHODS = {"card": Payment.Method.CARD, "bacs_debit": Payment.Method.DIRECT_DEBIT}
LIVE_KEYS = ("sk_live_", "rk_live_")


def stripe_configured() -> bool:
    """True when Stripe is set up (both keys): only then is it offered to payers.

    Outside production only test keys count, so the demo never takes real money.
    """
    key = settings.STRIPE_SECRET_KEY
    if not (key and settings.STRIPE_WEBHOOK_SECRET):
        return False
    return settings.PRODUCTION or not key.startswith(LIVE_KEYS)


def http_client() -> stripe.HTTPClient | None:
    """The HTTP client the ``stripe`` library sends requests with (None: its default).

    The only thing between this app and the network: tests replace this
    function with one returning a client that answers from the test.
    """
    return None


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=http_client(),
                               max_network_retries=2)


def _unavailable(error: Exception) -> Refusal:
    logger.warning("stripe: request failed: %s", error)
    return Refusal("We could not reach our card payment provider. Try again in a few minutes, "
                   "or pay by bank transfer with your payment reference.",
                   code="provider_unavailable", http_status=503)


class StripeProvider:
    """Pay by debit or credit card, or by Direct Debit, on Stripe's own page."""

    name = "stripe"

    def instructions(self, payment: Payment) -> dict[str, object]:
        amount = format_pence(payment.amount_pence)
        return {
            "reference": payment.reference,
            "amount_pence": payment.amount_pence,
            "amount": amount,
            "pay_to": "Stripe, our card and Direct Debit provider",
            "instructions": (
                f"Pay {amount} by debit or credit card, or by Direct Debit from a UK bank "
                "account, on Stripe's secure page. A Direct Debit takes three working days "
                "to arrive; we e-mail your receipt when it does."
            ),
        }


# -- sending the payer to Checkout ----------------------------------------------------------


def _describe(payment: Payment) -> str:
    membership = payment.membership
    if payment.periods and membership.rate is not None:
        unit = "month" if membership.rate.period == "monthly" else "year"
        return (f"{settings.ORGANISATION_NAME} dues, {membership.rate.name} rate: "
                f"{payment.periods} {unit}{'s' if payment.periods != 1 else ''}")
    return f"{settings.ORGANISATION_NAME}: {membership.category.name} fee"


def _urls(page: str, reference: str) -> tuple[str, str]:
    """Where Stripe sends the payer back: after paying, and if they go back."""
    back = settings.SITE_URL + reverse(f"me:{page}", args=[reference])
    done = settings.SITE_URL + reverse(f"me:{page}_return", args=[reference])
    return done + "?session_id={CHECKOUT_SESSION_ID}", back


def _open_session(*, membership: Membership, payment: Payment | None, mode: str,
                  now: dt.datetime) -> CheckoutSession | None:
    return (CheckoutSession.objects.filter(membership=membership, payment=payment, mode=mode,
                                           status=CheckoutSession.Status.OPEN,
                                           expires_at__gt=now + REUSE_MARGIN)
            .order_by("-created_at").first())


def _create_session(*, membership: Membership, payment: Payment | None, mode: str,
                    params: dict[str, Any], key: str, now: dt.datetime) -> CheckoutSession:
    """Open a session at Stripe and keep it; a concurrent click gets the same session.

    The idempotency key counts this payer's sessions so far: two clicks at once
    send the same key and Stripe answers both with one session.
    """
    attempt = CheckoutSession.objects.filter(membership=membership, payment=payment,
                                             mode=mode).count()
    expires = (now + SESSION_LIFETIME).replace(second=0, microsecond=0)
    params = {**params, "expires_at": int(expires.timestamp())}
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params,  # type: ignore[arg-type]
            options={"idempotency_key": f"rankfile-{key}-{attempt}"},
        )
    except stripe.StripeError as e:
        raise _unavailable(e) from None
    try:
        with transaction.atomic():
            return CheckoutSession.objects.create(
                session_id=session.id, membership=membership, payment=payment, mode=mode,
                url=session.url or "", created_at=now,
                expires_at=dt.datetime.fromtimestamp(session.expires_at, tz=dt.UTC))
    except IntegrityError:
        return CheckoutSession.objects.get(session_id=session.id)


def access_own_payment(user: AnyUser | None, reference: str) -> Payment:
    """The payment ``reference`` of one of ``user``'s memberships.

    Raises:
        NotFound: there is none, or it is someone else's (the same answer for both).
    """
    user_id = getattr(user, "pk", None)
    if "\x00" in reference or len(reference) > 20:  # no such reference, and PostgreSQL
        user_id = None                                # refuses NUL in a query
    payment = (Payment.objects.select_related("membership", "membership__rate",
                                              "membership__category", "membership__user")
               .filter(reference=reference, membership__user_id=user_id).first()
               if user_id is not None else None)
    if payment is None:
        raise NotFound("You have no payment with that reference. Open it from your "
                       "membership page.", code="unknown_payment")
    return payment


def checkout_start(*, payment: Payment, by: AnyUser | None, now: dt.datetime | None = None
                   ) -> CheckoutSession:
    """A Checkout session in which ``by`` pays ``payment`` by card or Direct Debit.

    An open session for the payment is reused, so a second click cannot open a
    second session that could be paid as well.

    Raises:
        NotFound: the payment is not ``by``'s.
        Refusal: Stripe is not set up (``stripe_not_configured``), the payment is
            paid or expired (see ``payment_check_recordable``), or Stripe cannot be
            reached (``provider_unavailable``, 503).
    """
    if not stripe_configured():
        raise Refusal("Paying by card is not available. Pay by bank transfer with your payment "
                      "reference.", code="stripe_not_configured")
    now = now or timezone.now()
    payment = access_own_payment(by, payment.reference)
    membership = payment.membership
    payment_check_recordable(payment, membership, now)
    found = _open_session(membership=membership, payment=payment, mode="payment", now=now)
    if found is not None:
        return found
    success, cancel = _urls("pay", payment.reference)
    metadata = {"payment_reference": payment.reference,
                "membership_reference": membership.reference}
    params: dict[str, Any] = {
        "mode": "payment",
        "payment_method_types": settings.STRIPE_PAYMENT_METHODS,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": CURRENCY, "unit_amount": payment.amount_pence,
            "product_data": {"name": _describe(payment)}}}],
        "client_reference_id": payment.reference,
        "customer_email": membership.user.email,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": _describe(payment)},
        "success_url": success,
        "cancel_url": cancel,
    }
    return _create_session(membership=membership, payment=payment, mode="payment",
                           params=params, key=f"checkout-{payment.reference}", now=now)


def dues_subscription_start(*, membership: Membership, by: AnyUser | None,
                            now: dt.datetime | None = None) -> CheckoutSession:
    """A Checkout session that sets up ``membership``'s dues as a monthly (or yearly) payment.

    Most UK members pay by Bacs Direct Debit. The first collection is on the
    day the next period falls due (a trial until then), so a member who is paid
    up is not charged twice; a member who owes more pays the arrears first.

    Raises:
        NotFound: the membership is not ``by``'s.
        Refusal: Stripe is not set up, the membership pays no dues or is not in
            good standing, it has a subscription already, or it owes more than the
            current period.
    """
    from rankfile.membership.services.dues import dues_of

    if not stripe_configured():
        raise Refusal("Direct Debit is not available. Pay by standing order, quoting your "
                      "membership reference.", code="stripe_not_configured")
    now = now or timezone.now()
    if by is None or not by.is_authenticated or membership.user_id != by.pk:
        raise NotFound("You have no membership with that reference.", code="unknown_membership")
    if membership.status not in GOOD_STANDING:
        raise Refusal("Only a member in good standing can set up a Direct Debit for dues.",
                      code="not_in_good_standing")
    dues = dues_of(membership, today=timezone.localdate(now))
    if dues is None:
        raise Refusal("Your membership has no dues to pay.", code="no_dues")
    if membership.stripe_subscriptions.filter(status=StripeSubscription.Status.ACTIVE).exists():
        raise Refusal("Your dues are already paid by Direct Debit or card every "
                      f"{dues.period_word}.", code="already_subscribed")
    if dues.owed_periods > 1:
        raise Refusal(f"First pay what you owe ({dues.describe()}), then set up the Direct "
                      "Debit.", code="arrears_first")
    found = _open_session(membership=membership, payment=None, mode="subscription", now=now)
    if found is not None:
        return found
    rate = membership.rate
    assert rate is not None
    success, cancel = _urls("dues", membership.reference)
    metadata = {"membership_reference": membership.reference}
    subscription: dict[str, Any] = {"metadata": metadata,
                                    "description": f"{settings.ORGANISATION_NAME} dues"}
    first = dt.datetime.combine(dues.paid_through, dt.time(9), tzinfo=timezone.get_current_timezone())
    if not dues.owed_periods and first > now + dt.timedelta(days=2):
        subscription["trial_end"] = int(first.timestamp())
    params: dict[str, Any] = {
        "mode": "subscription",
        "payment_method_types": settings.STRIPE_PAYMENT_METHODS,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": CURRENCY, "unit_amount": rate.amount_pence,
            "recurring": {"interval": "month" if rate.period == "monthly" else "year"},
            "product_data": {"name": f"{settings.ORGANISATION_NAME} dues, {rate.name} rate"}}}],
        "client_reference_id": membership.reference,
        "customer_email": membership.user.email,
        "metadata": metadata,
        "subscription_data": subscription,
        "success_url": success,
        "cancel_url": cancel,
    }
    return _create_session(membership=membership, payment=None, mode="subscription",
                           params=params, key=f"dues-{membership.reference}", now=now)


# -- the webhook ----------------------------------------------------------------------------


class WebhookRefused(Refusal):
    """A webhook request that is not a genuine, fresh event from Stripe (400)."""

    code = "webhook_refused"


@dataclass(frozen=True)
class Charge:
    """What a payment's charge tells us: how it was paid, and the card's fingerprint."""

    method: str
    fingerprint: str | None
    payment_intent: str


def _charge_of(payment_intent: str) -> Charge:
    """Ask Stripe how ``payment_intent`` was paid (outside any transaction: it is a request)."""
    intent = stripe_client().v1.payment_intents.retrieve(
        payment_intent, {"expand": ["latest_charge"]}).to_dict()
    charge = intent.get("latest_charge") or {}
    details = (charge.get("payment_method_details") or {}) if isinstance(charge, dict) else {}
    kind = details.get("type") or "card"
    fingerprint = (details.get(kind) or {}).get("fingerprint")
    return Charge(method=METHODS.get(kind, Payment.Method.CARD), fingerprint=fingerprint,
                  payment_intent=payment_intent)


def _invoice_intent(invoice_id: str) -> str | None:
    """The PaymentIntent that paid an invoice (Stripe lists an invoice's payments apart)."""
    found = stripe_client().v1.invoice_payments.list(
        {"invoice": invoice_id, "limit": 3}).to_dict()
    for row in found.get("data") or []:
        paid = row.get("payment") or {}
        intent = paid.get("payment_intent")
        if intent:
            return intent if isinstance(intent, str) else intent.get("id")
    return None


def _subscription_of(invoice: dict[str, Any]) -> str | None:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    sub = details.get("subscription") or invoice.get("subscription")
    if isinstance(sub, dict):
        return sub.get("id")
    return sub


def _prepare(kind: str, obj: dict[str, Any]) -> Charge | None:
    """What a handler needs from Stripe beyond the event, fetched before its transaction."""
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if obj.get("mode") == "payment" and obj.get("payment_status") == "paid" \
                and obj.get("payment_intent"):
            return _charge_of(obj["payment_intent"])
    if kind == "invoice.paid" and obj.get("amount_paid"):
        intent = _invoice_intent(obj["id"])
        if intent:
            return _charge_of(intent)
    return None


def stripe_webhook_receive(*, payload: bytes, signature: str | None,
                           now: dt.datetime | None = None) -> str:
    """Check a webhook request from Stripe and apply its event once.

    Returns:
        What became of the event, for the log and the response body. An event
        seen before returns ``"duplicate"`` and changes nothing.

    Raises:
        NotFound: Stripe is not set up here.
        WebhookRefused: the body is too big, the signature is wrong or missing,
            or the event is older than ``STRIPE_WEBHOOK_TOLERANCE`` (a replay), or
            it comes from the other mode (test or live). Nothing is changed.
        Refusal: Stripe could not be asked about the payment (503: Stripe retries).
    """
    if not stripe_configured():
        raise NotFound("Stripe is not set up on this site.", code="stripe_not_configured")
    if len(payload) > MAX_WEBHOOK_BYTES:
        logger.warning("stripe webhook refused: body of %d bytes", len(payload))
        raise WebhookRefused("This request is too big to be a Stripe event.",
                             code="too_large", http_status=413)
    try:
        stripe.Webhook.construct_event(payload, signature or "", settings.STRIPE_WEBHOOK_SECRET,
                                       tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
        event = json.loads(payload)
        event_id, kind = str(event["id"]), str(event["type"])
        obj = event["data"]["object"]
        livemode = bool(event.get("livemode"))
    except stripe.SignatureVerificationError as e:
        logger.warning("stripe webhook refused: %s", e.user_message or e)
        raise WebhookRefused("The Stripe signature is missing, wrong or too old.",
                             code="bad_signature") from None
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # not UTF-8, not JSON, not an event
        logger.warning("stripe webhook refused: not an event (%s)", type(e).__name__)
        raise WebhookRefused("This request is not a Stripe event.", code="not_an_event") from None
    if livemode != settings.STRIPE_SECRET_KEY.startswith(LIVE_KEYS):
        logger.warning("stripe webhook refused: event %s is %s but the key is not", event_id,
                       "live" if livemode else "a test")
        raise WebhookRefused("This event comes from the other Stripe mode (test or live).",
                             code="wrong_mode")
    if StripeEvent.objects.filter(event_id=event_id).exists():
        logger.info("stripe webhook: event %s (%s) was applied before; ignored", event_id, kind)
        return "duplicate"
    try:
        fetched = _prepare(kind, obj)
    except stripe.StripeError as e:
        raise _unavailable(e) from None
    now = now or timezone.now()
    handler = HANDLERS.get(kind, _not_used)
    try:
        with transaction.atomic():
            outcome, payment = handler(obj, fetched, now)
            StripeEvent.objects.create(event_id=event_id, type=kind, received_at=now,
                                       livemode=livemode, payment=payment,
                                       outcome=outcome[:300])
    except IntegrityError:
        # The same event, delivered twice at once: the other delivery applied it.
        logger.info("stripe webhook: event %s (%s) applied by a concurrent delivery",
                    event_id, kind)
        return "duplicate"
    logger.info("stripe webhook: event %s (%s): %s", event_id, kind, outcome)
    return outcome


Outcome = tuple[str, Payment | None]


def _not_used(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    return "ignored: not an event this site uses", None


def _locked(payment_id: int) -> tuple[Membership, Payment]:
    payment = Payment.objects.only("membership_id").get(pk=payment_id)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("rate", "user").get(
        pk=payment.membership_id)
    return membership, Payment.objects.select_for_update().get(pk=payment_id)


def _session_row(obj: dict[str, Any]) -> CheckoutSession | None:
    return CheckoutSession.objects.select_for_update().filter(session_id=obj.get("id")).first()


def _paid_twice(*, membership: Membership, what: str, charge: Charge, amount: int,
                why: str, now: dt.datetime) -> Outcome:
    """Money taken that cannot be applied (paid twice, or after the application expired).

    It is recorded as a payment of its own and refunded through Stripe at once,
    so the money is never kept without a reason.
    """
    from rankfile.membership.services.refunds import refund_request

    extra = Payment.objects.create(
        membership=membership, provider="stripe", reference=new_reference("PAY-"),
        amount_pence=amount, status=Payment.Status.PAID, method=charge.method,
        created_at=now, paid_at=now, external_id=charge.payment_intent,
        card_fingerprint=charge.fingerprint, receipt_number=new_reference("RCP-"),
        note=f"Paid through Stripe for {what}, which {why}: refunded")
    refund_request(payment=extra, by=None, now=now, reason=f"Paid for {what}, which {why}")
    logger.warning("stripe: %s paid for %s, which %s: refund requested", extra.reference,
                   what, why)
    return f"refunded: {what} {why}", extra


def _session_paid(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    row = _session_row(obj)
    if obj.get("mode") == "subscription":
        return _subscription_started(obj, row, now)
    reference = (obj.get("metadata") or {}).get("payment_reference") \
        or obj.get("client_reference_id")
    found = Payment.objects.filter(reference=reference or "").values_list("pk", flat=True).first()
    if found is None:
        logger.error("stripe: session %s names no known payment (%r)", obj.get("id"), reference)
        return "ignored: no payment has this reference", None
    membership, payment = _locked(found)
    if row is not None:
        row.status = CheckoutSession.Status.COMPLETE
        row.save(update_fields=["status"])
    if obj.get("payment_status") != "paid" or fetched is None:
        return "waiting: the Direct Debit is on its way", payment
    if obj.get("currency") != CURRENCY or obj.get("amount_total") != payment.amount_pence:
        logger.error("stripe: session %s paid %s %s for %s, which is for %s", obj.get("id"),
                     obj.get("amount_total"), obj.get("currency"), payment.reference,
                     payment.amount_pence)
        return "ignored: the amount differs from the payment's; check it by hand", payment
    if Payment.objects.filter(provider="stripe", external_id=fetched.payment_intent).exists():
        return "ignored: this charge is recorded already", payment
    try:
        payment_check_recordable(payment, membership, now)
    except Refusal as e:
        why = "was paid already" if e.code == "already_paid" else "can no longer be paid"
        return _paid_twice(membership=membership, what=payment.reference, charge=fetched,
                           amount=payment.amount_pence, why=why, now=now)
    payment_mark_paid(payment=payment, membership=membership, method=fetched.method,
                      paid_at=now, by=None, note="Paid through Stripe", now=now,
                      provider="stripe", external_id=fetched.payment_intent,
                      card_fingerprint=fetched.fingerprint)
    return f"paid: {payment.reference}", payment


def _session_failed(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    from rankfile.membership.services.mail import member_mail

    row = _session_row(obj)
    reference = (obj.get("metadata") or {}).get("payment_reference") or ""
    payment = Payment.objects.select_related("membership__user").filter(
        reference=reference).first()
    if payment is None:
        return "ignored: no payment has this reference", None
    if row is not None:
        row.status = CheckoutSession.Status.EXPIRED
        row.save(update_fields=["status"])
    if payment.status == Payment.Status.PENDING:
        member_mail(to=payment.membership.user.email, subject="your Direct Debit did not go "
                    "through", template="emails/payment_failed.txt",
                    context={"payment": payment, "amount": format_pence(payment.amount_pence),
                             "link": settings.SITE_URL + reverse("me:pay",
                                                                 args=[payment.reference])},
                    purpose="payment_failed", key=f"payment-failed:{obj.get('id')}")
    return f"failed: {payment.reference}", payment


def _session_expired(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    row = _session_row(obj)
    if row is None:
        return "ignored: not a session of ours", None
    if row.status == CheckoutSession.Status.OPEN:
        row.status = CheckoutSession.Status.EXPIRED
        row.save(update_fields=["status"])
    return "expired", row.payment


def _subscription_started(obj: dict[str, Any], row: CheckoutSession | None,
                          now: dt.datetime) -> Outcome:
    reference = (obj.get("metadata") or {}).get("membership_reference") \
        or obj.get("client_reference_id") or ""
    membership = Membership.objects.filter(reference=reference).first()
    subscription = obj.get("subscription")
    if membership is None or not subscription:
        return "ignored: no membership has this reference", None
    if row is not None:
        row.status = CheckoutSession.Status.COMPLETE
        row.save(update_fields=["status"])
    StripeSubscription.objects.get_or_create(subscription_id=subscription, defaults={
        "membership": membership, "customer_id": obj.get("customer") or "", "created_at": now})
    return f"dues by Stripe set up for {membership.reference}", None


def _invoice_paid(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    """A month's (or year's) dues collected by a subscription: record them as a payment."""
    amount = int(obj.get("amount_paid") or 0)
    if not amount:
        return "ignored: nothing was paid (a free first period)", None
    if obj.get("currency") != CURRENCY:
        return f"ignored: paid in {obj.get('currency')}, not pounds", None
    subscription = StripeSubscription.objects.filter(
        subscription_id=_subscription_of(obj) or "").first()
    if subscription is None:
        return "ignored: not a subscription of ours", None
    if Payment.objects.filter(provider="stripe", external_id=obj["id"]).exists():
        return "ignored: this invoice is recorded already", None
    membership = Membership.objects.select_for_update(of=("self",)).select_related("rate", "user").get(
        pk=subscription.membership_id)
    method = fetched.method if fetched else Payment.Method.DIRECT_DEBIT
    fingerprint = fetched.fingerprint if fetched else None
    rate = membership.rate
    periods = max(1, amount // rate.amount_pence) if rate is not None else 1
    # A member who joined by setting up the Direct Debit: its first collection pays the
    # joining payment.
    payment = membership.payments.select_for_update().filter(
        status=Payment.Status.PENDING, amount_pence=amount).order_by("created_at").first()
    if payment is None:
        payment = Payment(membership=membership, provider="stripe",
                          reference=new_reference("PAY-"), amount_pence=amount,
                          created_at=now, periods=periods)
    try:
        payment_check_recordable(payment, membership, now)
    except Refusal:
        charge = Charge(method=method, fingerprint=fingerprint, payment_intent=obj["id"])
        return _paid_twice(membership=membership, what=f"dues of {membership.reference}",
                           charge=charge, amount=amount, why=f"is "
                           f"{membership.get_status_display().lower()}", now=now)
    payment_mark_paid(payment=payment, membership=membership, method=method, paid_at=now,
                      by=None, note="Dues collected by Stripe", now=now, provider="stripe",
                      external_id=obj["id"], card_fingerprint=fingerprint)
    return f"paid: {payment.reference}", payment


def _subscription_ended(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime
                        ) -> Outcome:
    updated = StripeSubscription.objects.filter(
        subscription_id=obj.get("id") or "", status=StripeSubscription.Status.ACTIVE).update(
        status=StripeSubscription.Status.ENDED, ended_at=now)
    return "subscription ended" if updated else "ignored: not an active subscription of ours", None


def _refund_updated(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    from rankfile.membership.services.refunds import refund_settle

    refund = Refund.objects.select_for_update().filter(external_id=obj.get("id") or "").first()
    if refund is None:
        return "ignored: not a refund of ours", None
    refund_settle(refund=refund, stripe_status=str(obj.get("status")),
                  failure=str(obj.get("failure_reason") or ""), now=now)
    return f"refund {refund.get_status_display().lower()}", refund.payment


def _charge_refunded(obj: dict[str, Any], fetched: Charge | None, now: dt.datetime) -> Outcome:
    """A refund made in Stripe's dashboard rather than here: record it so the books agree."""
    from rankfile.membership.services.refunds import refund_from_dashboard

    intent = obj.get("payment_intent") or ""
    payment = Payment.objects.filter(provider="stripe", external_id=intent).first() \
        if intent else None
    if payment is None:
        return "ignored: not a payment of ours", None
    if not obj.get("refunded"):
        return "ignored: refunded in part only; record the rest by hand", payment
    return refund_from_dashboard(payment=payment, now=now), payment


HANDLERS: dict[str, Callable[[dict[str, Any], Charge | None, dt.datetime], Outcome]] = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": _session_failed,
    "checkout.session.expired": _session_expired,
    "invoice.paid": _invoice_paid,
    "customer.subscription.deleted": _subscription_ended,
    "refund.updated": _refund_updated,
    "refund.failed": _refund_updated,
    "charge.refunded": _charge_refunded,
}
