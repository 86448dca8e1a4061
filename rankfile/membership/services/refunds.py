"""Refunds: a paid payment returned in full, through Stripe or recorded as returned by hand.

``payment_refund`` is what staff call; a rejection in vetting calls
``refund_rejected_applicant``. A payment taken by Stripe is refunded
through Stripe by a job (``stripe_refund_send``), enqueued in the same
transaction as the request, so the request is never lost and the call to
Stripe happens outside any transaction; any other payment (or a Stripe one
returned some other way) is recorded as a manual refund, done at once.

The member sees the refund (amount, date, how) on their page and gets an
e-mail; the reason is for staff only, since it may quote an internal note.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import dateformat, timezone

from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Membership, Payment, Refund
from rankfile.membership.services.mail import member_mail
from rankfile.membership.services.payments import can_record_payments, format_pence

logger = logging.getLogger("rankfile.payments.refunds")

R = Refund.Status


def can_refund_payments(user: AnyUser | None) -> bool:
    """Membership staff refund payments, as they record them."""
    return can_record_payments(user)


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in reason):
        raise Refusal("The reason contains characters that cannot be read. Type it again.",
                      code="unreadable", field="reason")
    if not reason:
        raise Refusal("Say why the payment is refunded.", code="reason_required", field="reason")
    if len(reason) > 300:
        raise Refusal("Keep the reason to 300 characters or fewer.", code="too_long",
                      field="reason")
    return reason


def payment_refund(*, payment: Payment, by: AnyUser | None, reason: str, manual: bool = False,
                   now: dt.datetime | None = None) -> Refund:
    """Refund ``payment`` in full and record why.

    A payment taken through Stripe is refunded through Stripe (a job sends the
    request; the refund is ``requested`` until Stripe answers) unless
    ``manual`` says the money was returned some other way; any other payment
    is recorded as refunded by hand, now.

    Args:
        payment: a paid payment.
        by: the staff member refunding (the one who rejected, for a rejection).
        reason: for staff and auditors; never shown to the member.
        manual: the money was returned by bank transfer, cheque or cash.

    Raises:
        PermissionRefused: ``by`` is not membership staff.
        Refusal: no reason, the payment is not paid, a refund is already under
            way or done, or Stripe is not set up for a Stripe refund.
    """
    if not can_refund_payments(by):
        raise PermissionRefused("Only membership staff can refund payments.")
    reason = _clean_reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        Membership.objects.select_for_update().only("pk").get(pk=payment.membership_id)
        payment = Payment.objects.select_for_update(of=("self",)).select_related("membership__user").get(
            pk=payment.pk)
        assert isinstance(by, User)  # staff, checked above
        return refund_request(payment=payment, by=by, reason=reason, manual=manual, now=now)


REJECTED_REASON = "Application rejected in vetting"


def refund_rejected_applicant(*, membership: Membership, by: AnyUser | None,
                              manual: bool = False,
                              now: dt.datetime | None = None) -> list[Refund]:
    """Refund what a rejected applicant paid: the vetting rejection calls it.

    Each paid payment is refunded in full through the provider it was paid
    with (Stripe), or recorded as a manual refund (any other payment, or all
    of them with ``manual``). The applicant sees each refund in their history
    and is e-mailed. Safe to call twice (a retried rejection): a payment
    already refunded, or with a refund under way, is not refunded again, and
    the refunds are returned either way. Call it in the rejection's transaction.

    Returns:
        The membership's refunds (new and earlier), oldest first; none if
        nothing was paid.

    Raises:
        PermissionRefused: ``by`` is not membership staff.
        Refusal: the application is not rejected in vetting, or a Stripe
            payment cannot be refunded through Stripe (not set up): pass
            ``manual`` once the money was returned by hand. Nothing is refunded then.
    """
    if membership.vetting != Membership.Vetting.REJECTED:
        raise Refusal(f"{membership.reference} was not rejected in vetting, so its payments are "
                      "not refunded as a rejection. Refund a payment on its own instead.",
                      code="not_rejected")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        paid = list(locked.payments.filter(status=Payment.Status.PAID)
                    .exclude(refund__status__in=(R.REQUESTED, R.PENDING, R.SUCCEEDED))
                    .order_by("created_at"))
        for payment in paid:
            payment_refund(payment=payment, by=by, reason=REJECTED_REASON, now=now,
                           manual=manual)
    return list(Refund.objects.filter(payment__membership=membership)
                .exclude(status=R.FAILED).order_by("requested_at", "pk"))


def refund_request(*, payment: Payment, by: User | None, reason: str, now: dt.datetime,
                   manual: bool = False) -> Refund:
    """Record a refund of ``payment`` and start it; no permission check (see ``payment_refund``).

    The caller holds the payment row locked, in a transaction. Used directly by
    the Stripe webhook to return money it cannot apply.
    """
    from rankfile.membership.services.stripe_provider import stripe_configured
    from rankfile.membership.tasks import stripe_refund_send

    if payment.status != Payment.Status.PAID:
        if payment.status == Payment.Status.REFUNDED:
            raise Refusal(f"Payment {payment.reference} was refunded already.",
                          code="already_refunded")
        raise Refusal(f"Payment {payment.reference} has not been paid, so there is nothing to "
                      "refund.", code="not_paid")
    refund = Refund.objects.select_for_update().filter(payment=payment).first()
    if refund is not None and refund.status != R.FAILED:
        raise Refusal(
            f"A refund of payment {payment.reference} was requested on "
            f"{dateformat.format(timezone.localtime(refund.requested_at), 'j F Y')} and is "
            f"{refund.get_status_display().lower()}.", code="already_refunding")
    through_stripe = payment.provider == "stripe" and not manual
    if through_stripe and not stripe_configured():
        raise Refusal("Stripe is not set up on this site, so this payment cannot be refunded "
                      "through it. Refund it in Stripe's dashboard, then record it here as "
                      "returned by hand.", code="stripe_not_configured", field="manual")
    refund = refund or Refund(payment=payment)
    refund.amount_pence = payment.amount_pence
    refund.provider = Refund.Provider.STRIPE if through_stripe else Refund.Provider.MANUAL
    refund.reason = reason
    refund.requested_by = by if by is not None and by.pk else None
    refund.requested_at = now
    refund.external_id = ""
    refund.failure = ""
    refund.completed_at = None
    refund.status = R.REQUESTED
    refund.save()
    if through_stripe:
        stripe_refund_send.enqueue(refund_id=refund.pk)
    else:
        _succeeded(refund, now)
    return refund


def _succeeded(refund: Refund, now: dt.datetime) -> None:
    refund.status = R.SUCCEEDED
    refund.completed_at = now
    refund.save(update_fields=["status", "completed_at"])
    payment = refund.payment
    payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["status"])
    user = payment.membership.user
    member_mail(
        to=user.email, subject=f"refund of payment {payment.reference}",
        template="emails/payment_refunded.txt",
        context={"payment": payment, "refund": refund, "first_name":
                 payment.membership.first_name, "amount": format_pence(refund.amount_pence),
                 "link": settings.SITE_URL + "/me/"},
        purpose="refund", key=f"refund:{refund.pk}:{refund.requested_at.isoformat()}",
    )


def refund_settle(*, refund: Refund, stripe_status: str, failure: str = "",
                  now: dt.datetime) -> None:
    """Bring ``refund`` to what Stripe says of it (``pending``, ``succeeded``, ``failed`` ...).

    The caller holds the refund row locked. Saying the same twice changes nothing.
    """
    if refund.provider != Refund.Provider.STRIPE:
        return
    if stripe_status == "succeeded":
        if refund.status != R.SUCCEEDED:
            _succeeded(refund, now)
    elif stripe_status in ("failed", "canceled"):
        if refund.status == R.FAILED:
            return
        if refund.status == R.SUCCEEDED:  # a refund can fail after Stripe first accepted it
            refund.payment.status = Payment.Status.PAID
            refund.payment.save(update_fields=["status"])
        refund.status = R.FAILED
        refund.failure = f"Stripe: {failure or stripe_status}"[:300]
        refund.completed_at = now
        refund.save(update_fields=["status", "failure", "completed_at"])
        logger.warning("refund of %s failed at Stripe: %s", refund.payment.reference,
                       refund.failure)
    elif refund.status == R.REQUESTED:
        refund.status = R.PENDING
        refund.save(update_fields=["status"])


def _intent_of(payment: Payment) -> str | None:
    from rankfile.membership.services.stripe_provider import _invoice_intent

    if payment.external_id.startswith("in_"):
        return _invoice_intent(payment.external_id)
    return payment.external_id or None


def refund_send_to_stripe(*, refund_id: int) -> str:
    """Send a requested refund to Stripe (the ``stripe_refund_send`` job).

    Safe to run twice: a refund no longer ``requested`` is left alone, and
    Stripe's idempotency key (the refund and the time it was requested) makes
    a repeated request the same refund. The request is made outside any
    transaction; its answer is applied under a lock.
    """
    from rankfile.membership.services.stripe_provider import stripe_client

    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != R.REQUESTED or refund.provider != Refund.Provider.STRIPE:
        return "already sent"
    try:
        intent = _intent_of(refund.payment)
        if intent is None:
            raise stripe.InvalidRequestError("Stripe names no payment for this invoice.", None)
        answer = stripe_client().v1.refunds.create(
            {"payment_intent": intent, "amount": refund.amount_pence,
             "metadata": {"payment_reference": refund.payment.reference}},
            # A retry after a failure is requested anew (a new time): a new key, or Stripe
            # would answer with the stored failure.
            options={"idempotency_key": f"rankfile-refund-{refund.pk}-"
                                        f"{refund.requested_at.timestamp():.6f}"},
        )
        status, external_id = str(answer.status), str(answer.id)
        failure = str(getattr(answer, "failure_reason", "") or "")
    except stripe.StripeError as e:
        status, external_id, failure = "failed", "", e.user_message or str(e)
    with transaction.atomic():
        refund = Refund.objects.select_for_update(of=("self",)).select_related("payment__membership__user") \
            .get(pk=refund_id)
        if refund.status != R.REQUESTED:
            return "already sent"
        if external_id:
            refund.external_id = external_id
            refund.save(update_fields=["external_id"])
        refund_settle(refund=refund, stripe_status=status, failure=failure, now=timezone.now())
    return f"refund of {refund.payment.reference}: {refund.get_status_display().lower()}"


def refund_from_dashboard(*, payment: Payment, now: dt.datetime) -> str:
    """Stripe says ``payment`` was refunded in full: record it, if not already known.

    A refund requested here is settled as succeeded; one made in Stripe's
    dashboard is recorded as a Stripe refund with that as its reason.
    """
    payment = Payment.objects.select_for_update(of=("self",)).select_related("membership__user").get(
        pk=payment.pk)
    refund = Refund.objects.select_for_update().filter(payment=payment).first()
    if refund is not None and refund.status == R.SUCCEEDED:
        return "refund already recorded"
    if refund is None or refund.status == R.FAILED:
        if payment.status != Payment.Status.PAID:
            return f"ignored: payment {payment.reference} is {payment.status}"
        refund = refund or Refund(payment=payment)
        refund.amount_pence = payment.amount_pence
        refund.provider = Refund.Provider.STRIPE
        refund.reason = "Refunded in Stripe's dashboard"
        refund.requested_by = None
        refund.requested_at = now
        refund.failure = ""
        refund.status = R.PENDING
        refund.save()
    refund.payment = payment
    _succeeded(refund, now)
    return f"refunded: {payment.reference}"
