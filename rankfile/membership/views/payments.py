"""Paying: a member chooses how to pay a payment or their dues; Stripe's webhook.

Each view makes one service call and turns a Refusal into an error on the page.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, Refusal
from rankfile.membership.models import CheckoutSession, Membership, Payment, StripeSubscription
from rankfile.membership.selectors import access_own_membership
from rankfile.membership.services.dues import Rules, dues_of, dues_payment_create
from rankfile.membership.services.payments import OfflineProvider, format_pence
from rankfile.membership.services.stripe_provider import (
    StripeProvider,
    access_own_payment,
    checkout_start,
    dues_subscription_start,
    stripe_configured,
    stripe_webhook_receive,
)

logger = logging.getLogger("rankfile.payments.stripe")


def _see_other(url: str) -> HttpResponse:
    """303: the browser follows with a GET, to Stripe's page."""
    return HttpResponse(status=303, headers={"Location": url})


def _payment_or_404(request: AuthenticatedHttpRequest, reference: str) -> Payment:
    try:
        return access_own_payment(request.user, reference)
    except NotFound as e:
        raise Http404(e.message) from None


def _pay_page(request: AuthenticatedHttpRequest, payment: Payment, *, error: str = "",
              status: int = 200) -> HttpResponse:
    return render(request, "membership/pay.html", {
        "payment": payment,
        "amount": format_pence(payment.amount_pence),
        "offline": OfflineProvider().instructions(payment),
        "stripe": StripeProvider().instructions(payment) if stripe_configured() else None,
        "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Choose how to pay: card or Direct Debit through Stripe, or a bank transfer."""
    payment = _payment_or_404(request, reference)
    if request.method == "GET":
        return _pay_page(request, payment)
    try:
        session = checkout_start(payment=payment, by=request.user)
    except Refusal as e:
        return _pay_page(request, payment, error=e.message, status=e.http_status)
    return _see_other(session.url)


@login_required
@require_GET
def pay_return(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Where Stripe sends the payer back: what we know of the payment so far.

    Only the webhook records money; this page shows what it has recorded and
    offers to look again.
    """
    payment = _payment_or_404(request, reference)
    session_id = request.GET.get("session_id", "")[:255].replace("\x00", "")
    session = CheckoutSession.objects.filter(payment=payment, session_id=session_id).first()
    return render(request, "membership/pay_return.html", {
        "payment": payment, "amount": format_pence(payment.amount_pence),
        "session": session, "paid": payment.status == Payment.Status.PAID,
    })


def _membership_or_404(request: AuthenticatedHttpRequest, reference: str) -> Membership:
    if "\x00" in reference or len(reference) > 20:
        raise Http404("You have no membership with that reference.")
    try:
        return access_own_membership(request.user, reference)
    except NotFound as e:
        raise Http404(e.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def dues(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """A member's dues: where they stand, pay what is owed, or set up a Direct Debit."""
    membership = _membership_or_404(request, reference)
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "subscribe"):
            return HttpResponse("Choose to pay or to set up a Direct Debit.", status=400,
                                content_type="text/plain")
        try:
            if action == "subscribe":
                session = dues_subscription_start(membership=membership, by=request.user)
                return _see_other(session.url)
            payment = dues_payment_create(membership=membership, by=request.user)
            return redirect("me:pay", payment.reference)
        except Refusal as e:
            error, status = e.message, e.http_status
    standing = dues_of(membership)
    return render(request, "membership/dues.html", {
        "membership": membership, "dues": standing, "error": error,
        "rules": Rules.from_settings(),
        "stripe": stripe_configured(),
        "subscription": membership.stripe_subscriptions.filter(
            status=StripeSubscription.Status.ACTIVE).first(),
    }, status=status)


@login_required
@require_GET
def dues_return(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    membership = _membership_or_404(request, reference)
    messages.success(request, "Thank you: Stripe is setting up your Direct Debit. We e-mail a "
                              "receipt each time your dues are collected.")
    return redirect("me:dues", membership.reference)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's webhook: a signed event, applied once (see ``stripe_webhook_receive``)."""
    try:
        outcome = stripe_webhook_receive(payload=request.body,
                                         signature=request.headers.get("Stripe-Signature"))
    except Refusal as e:
        return JsonResponse(e.as_dict(), status=e.http_status)
    return JsonResponse({"received": True, "outcome": outcome})
