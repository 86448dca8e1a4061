"""The joining flow, the confirmation link, receipts and the privacy notice.

Each view makes one service call and turns a Refusal into an error on the page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import RateLimited, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.core.net import rate_limit
from rankfile.membership.forms.joining import (
    JoinForm,
    new_form_token,
)
from rankfile.membership.models import Category, Payment
from rankfile.membership.services.joining import (
    joining_offer,
    joining_offers,
    membership_apply,
    membership_confirm_email,
    user_from_confirmation_token,
)
from rankfile.membership.services.payments import (
    format_pence,
    payment_instructions,
)
from rankfile.membership.services.stripe_provider import stripe_configured

DONE_COOKIE = "rf_joined"
DONE_SALT = "rankfile.membership.done"
JOIN_LIMIT = 30  # applications per client address ...
JOIN_LIMIT_SECONDS = 600  # ... in ten minutes (mobile networks share addresses)


@require_GET
def join_choose(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cards = []
    for offer in joining_offers():
        window = offer.open_window(now)
        cards.append({"offer": offer, "open": offer.is_open(now), "window": window,
                      "fee": format_pence(window.fee_pence) if window else "",
                      "closed_message": offer.closed_message(now)})
    return render(request, "membership/join_choose.html", {"cards": cards})


@require_http_methods(["GET", "POST"])
def join_details(request: HttpRequest, category: str) -> HttpResponse:
    offer = joining_offer(category)
    if offer is None:
        raise Http404("There is no such way to join.")
    now = timezone.now()
    context: dict[str, object] = {"offer": offer, "window": offer.open_window(now),
                                  "closed_message": offer.closed_message(now)}
    if request.method == "GET":
        form = JoinForm(offer, initial={"form_token": new_form_token()})
        return render(request, "membership/join_details.html", {**context, "form": form})

    form = JoinForm(offer, request.POST)
    status = 400
    try:
        rate_limit(request, scope="join", limit=JOIN_LIMIT, per_seconds=JOIN_LIMIT_SECONDS)
    except RateLimited as e:
        form.is_valid()
        form_add_refusal(form, e)
        return render(request, "membership/join_details.html", {**context, "form": form},
                      status=e.http_status)
    if form.is_valid():
        try:
            result = membership_apply(data=form.join_data(),
                                      idempotency_key="web:" + form.cleaned_data["form_token"])
        except Refusal as e:
            form_add_refusal(form, e)
            status = e.http_status
        else:
            response = redirect("membership:join_done", result.reference)
            done: dict[str, object] = {"r": result.reference, "k": offer.kind}
            if result.payment is not None:
                done.update(p=result.payment.reference, a=result.payment.amount_pence,
                            v=result.payment.provider)
            response.set_signed_cookie(DONE_COOKIE, signing.dumps(done), salt=DONE_SALT,
                                       max_age=3600, httponly=True, samesite="Lax",
                                       secure=request.is_secure())
            return response
    return render(request, "membership/join_details.html", {**context, "form": form},
                  status=status)


@require_GET
def join_done(request: HttpRequest, reference: str) -> HttpResponse:
    # The details come from this browser's own signed cookie, never from the database,
    # so a reference in the address bar reveals nothing about anyone.
    payment = None
    shown = None
    cookie = request.get_signed_cookie(DONE_COOKIE, default=None, salt=DONE_SALT, max_age=3600)
    try:
        done = signing.loads(cookie) if cookie else {}
    except signing.BadSignature:
        done = {}
    if done.get("r") == reference:
        shown = reference
        if done.get("p"):
            payment = payment_instructions(Payment(reference=done["p"], amount_pence=done["a"],
                                                   provider=done.get("v") or "offline"))
    return render(request, "membership/join_done.html", {
        "reference": shown, "payment": payment,
        "union_check": shown is not None and done.get("k") == Category.Kind.AFFILIATED_SUPPORTER,
        "card_payments": stripe_configured(),
    })


@require_http_methods(["GET", "POST"])
def join_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            rate_limit(request, scope="join-confirm", limit=20, per_seconds=600)
        user = user_from_confirmation_token(token)
    except Refusal as e:
        return render(request, "membership/join_confirm.html", {"refusal": e.message},
                      status=e.http_status)
    if request.method == "POST":
        form = SetPasswordForm(user, request.POST)
        if form.is_valid():
            membership_confirm_email(user=user, password=form.cleaned_data["new_password1"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Thank you: your e-mail address is confirmed and your "
                                      "password is set.")
            # A fee still to pay: straight on to choosing how to pay it.
            due = Payment.objects.filter(membership__user=user, status=Payment.Status.PENDING,
                                         membership__status="applied").order_by(
                "-created_at").values_list("reference", flat=True).first()
            if due is not None:
                return redirect("me:pay", due)
            return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, "membership/join_confirm.html", {"form": form, "user": user},
                      status=400)
    form = SetPasswordForm(user)
    return render(request, "membership/join_confirm.html", {"form": form, "user": user})


@require_GET
@login_required
def receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    payment = (Payment.objects.select_related("membership__category")
               .filter(reference=reference, membership__user=request.user,
                       status=Payment.Status.PAID).first())
    if payment is None:
        raise Http404("No receipt with that reference is yours.")
    return render(request, "membership/receipt.html",
                  {"payment": payment, "amount": format_pence(payment.amount_pence)})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "membership/privacy.html",
                  {"version": settings.PRIVACY_NOTICE_VERSION})
