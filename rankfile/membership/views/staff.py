"""Staff pages: recording offline payments and placing members by hand.

Each view makes one service call and turns a Refusal into an error on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.membership.access import access_payment, can_place_members, can_record_payments
from rankfile.membership.forms.staff import (
    PaymentRecordForm,
    PaymentSearchForm,
    PlacementDeclineForm,
    PlacementForm,
    RefundForm,
)
from rankfile.membership.models import Membership, Payment, Refund
from rankfile.membership.services.changes import (
    membership_decline_placement,
    membership_list_awaiting_placement,
    membership_place,
)
from rankfile.membership.services.payments import format_pence, payment_list, payment_record
from rankfile.membership.services.refunds import payment_refund


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "membership/staff_payments_forbidden.html", status=403)


def _payment_or_404(request: HttpRequest, reference: str) -> Payment:
    # The views check the right first (a 403 page); this is the service's own check.
    try:
        return access_payment(request.user, reference)
    except Refusal as e:
        raise Http404(e.message) from None


def _refund_of(payment: Payment) -> Refund | None:
    try:
        return payment.refund
    except Refund.DoesNotExist:
        return None


def _staff_payments_page(request: HttpRequest, *, query: str, forms: dict[int, object] | None
                         = None, refund_forms: dict[int, RefundForm] | None = None,
                         status: int = 200) -> HttpResponse:
    results = payment_list(query=query, by=request.user)
    rows = []
    for p in results:
        refund = _refund_of(p)
        refundable = p.status == Payment.Status.PAID and (
            refund is None or refund.status == Refund.Status.FAILED)
        rows.append({
            "payment": p, "amount": format_pence(p.amount_pence), "refund": refund,
            "form": (forms or {}).get(p.pk) or PaymentRecordForm(
                prefix=p.reference, initial={"amount": f"{p.amount_pence / 100:.2f}"}),
            "refund_form": ((refund_forms or {}).get(p.pk) or RefundForm(
                prefix=f"refund-{p.reference}", through_stripe=p.provider == "stripe"))
            if refundable else None,
        })
    search = PaymentSearchForm(initial={"q": query})
    return render(request, "membership/staff_payments.html",
                  {"search": search, "query": query, "rows": rows}, status=status)


@require_GET
@login_required
def staff_payments(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_record_payments(request.user):
        return _forbidden(request)
    search = PaymentSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    return _staff_payments_page(request, query=query)


@require_POST
@login_required
def staff_payment_record(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if not can_record_payments(request.user):
        return _forbidden(request)
    payment = _payment_or_404(request, reference)
    form = PaymentRecordForm(request.POST, prefix=payment.reference)
    if form.is_valid():
        try:
            payment = payment_record(payment=payment, method=form.cleaned_data["method"],
                                     amount_pence=form.amount_pence(), recorded_by=request.user,
                                     note=form.cleaned_data["note"])
        except PermissionRefused:
            return _forbidden(request)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, f"Payment {payment.reference} recorded: receipt "
                                      f"{payment.receipt_number}. The membership "
                                      f"{payment.membership.reference} is now "
                                      f"{payment.membership.get_status_display().lower()}.")
            return redirect(reverse("membership:staff_payments") + f"?q={payment.reference}")
    return _staff_payments_page(request, query=payment.reference, forms={payment.pk: form},
                                status=400)


@require_POST
@login_required
def staff_payment_refund(request: HttpRequest, reference: str) -> HttpResponse:
    if not can_record_payments(request.user):
        return _forbidden(request)
    payment = _payment_or_404(request, reference)
    form = RefundForm(request.POST, prefix=f"refund-{payment.reference}",
                      through_stripe=payment.provider == "stripe")
    if form.is_valid():
        try:
            refund = payment_refund(payment=payment, by=request.user,
                                    reason=form.cleaned_data["reason"],
                                    manual=form.cleaned_data.get("manual", False))
        except PermissionRefused:
            return _forbidden(request)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            if refund.status == Refund.Status.SUCCEEDED:
                messages.success(request, f"Refund of {payment.reference} recorded "
                                          f"({format_pence(refund.amount_pence)}).")
            else:
                messages.success(request, f"Refund of {payment.reference} sent to Stripe "
                                          f"({format_pence(refund.amount_pence)}); this page "
                                          "shows when Stripe has made it.")
            return redirect(reverse("membership:staff_payments") + f"?q={payment.reference}")
    return _staff_payments_page(request, query=payment.reference,
                                refund_forms={payment.pk: form}, status=400)


def _placements_page(request: HttpRequest, *, forms: dict[int, PlacementForm] | None = None,
                     declines: dict[int, PlacementDeclineForm] | None = None,
                     status: int = 200) -> HttpResponse:
    waiting = membership_list_awaiting_placement(by=request.user)
    rows = [{"membership": m,
             "form": (forms or {}).get(m.pk) or PlacementForm(prefix=m.reference),
             "decline": (declines or {}).get(m.pk)
             or PlacementDeclineForm(prefix=f"{m.reference}-decline")}
            for m in waiting]
    return render(request, "membership/staff_placements.html", {"rows": rows}, status=status)


@require_GET
@login_required
def staff_placements(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_place_members(request.user):
        return _forbidden(request)
    return _placements_page(request)


@require_POST
@login_required
def staff_place(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if not can_place_members(request.user):
        return _forbidden(request)
    membership = get_object_or_404(Membership, reference=reference)
    form = PlacementForm(request.POST, prefix=membership.reference)
    if form.is_valid():
        try:
            change = membership_place(membership=membership, ward=form.cleaned_data["ward"],
                                      by=request.user)
        except PermissionRefused:
            return _forbidden(request)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, f"{membership.reference} ({membership.full_name}) is "
                                      f"now in the {change.to_branch} branch.")
            return redirect("membership:staff_placements")
    return _placements_page(request, forms={membership.pk: form}, status=400)


@require_POST
@login_required
def staff_decline_placement(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if not can_place_members(request.user):
        return _forbidden(request)
    membership = get_object_or_404(Membership, reference=reference)
    form = PlacementDeclineForm(request.POST, prefix=f"{membership.reference}-decline")
    if form.is_valid():
        try:
            membership_decline_placement(membership=membership, by=request.user,
                                         reason=form.cleaned_data["reason"])
        except PermissionRefused:
            return _forbidden(request)
        except Refusal as e:
            if e.code != "not_awaiting_placement":
                form_add_refusal(form, e)
            else:  # decided meanwhile (another tab, a colleague): the queue shows it
                messages.info(request, e.message)
                return redirect("membership:staff_placements")
        else:
            messages.success(request, f"{membership.reference} ({membership.full_name}) stays "
                                      "without a branch; we have e-mailed them why.")
            return redirect("membership:staff_placements")
    return _placements_page(request, declines={membership.pk: form}, status=400)
