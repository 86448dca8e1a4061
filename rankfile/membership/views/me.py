"""A member's own page: their memberships, a new address, resignation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.views.decorators.http import require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.roles import bodies_with_role
from rankfile.core.errors import NotFound, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.meetings.qr import qr_svg
from rankfile.meetings.selectors import meeting_list_upcoming
from rankfile.meetings.services.door import checkin_token
from rankfile.membership.forms.me import AddressForm, ResignForm
from rankfile.membership.models import (
    GOOD_STANDING,
    Membership,
    Payment,
    Refund,
    StatusChange,
)
from rankfile.membership.selectors import (
    OFFICER_KINDS,
    access_own_membership,
    membership_history,
    membership_list_of,
)
from rankfile.membership.services.changes import membership_change_address, membership_resign
from rankfile.membership.services.dues import dues_of
from rankfile.membership.services.payments import payment_instructions
from rankfile.membership.services.status import ENDED

S = Membership.Status

# What each status means for the member, in plain words.
STATUS_WORDS: dict[str, str] = {
    S.APPLIED: "We have your application. It becomes active when your payment arrives.",
    S.ACTIVE: "You are a member in good standing.",
    S.IN_ARREARS: "Your payments are behind. You are still in good standing while you catch up.",
    S.LAPSED: "Your membership lapsed because payments stopped. Join again to come back.",
    S.SUSPENDED: "Your membership is suspended. Membership staff have written to you about it.",
    S.EXPELLED: "Your membership was ended by the organisation.",
    S.RESIGNED: "You resigned. You are welcome to join again.",
    S.EXPIRED: "Your application expired because it was never paid. You can join again.",
}


@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = list(membership_list_of(request.user))
    for membership in memberships:
        # Set for the template only, never stored:
        membership.status_words = STATUS_WORDS.get(membership.status, "")  # type: ignore[attr-defined]
        membership.has_ended = membership.status in ENDED  # type: ignore[attr-defined]
        membership.dues = dues_of(membership)  # type: ignore[attr-defined]
        # Refunds show in the history too (when, how much; never staff's reason), in
        # the order things happened with the status changes and branch moves.
        refunds = (Refund.objects.filter(payment__membership=membership).select_related("payment")
                   .exclude(status=Refund.Status.FAILED).order_by("requested_at"))
        membership.events = sorted(  # type: ignore[attr-defined]
            [(e.at, "status" if isinstance(e, StatusChange) else "move", e)
             for e in membership_history(membership)]
            + [(r.requested_at, "refund", r) for r in refunds], key=lambda t: t[0])
        pending = next((p for p in membership.payments.all()
                        if p.status == Payment.Status.PENDING), None)
        membership.to_pay = (  # type: ignore[attr-defined]
            payment_instructions(pending)
            if pending is not None and membership.status == S.APPLIED else None)
        if membership.status in GOOD_STANDING:
            # The signed code a teller scans at the door of a meeting (it expires).
            code = checkin_token(membership)
            membership.checkin_code = code  # type: ignore[attr-defined]
            membership.checkin_qr = qr_svg(  # type: ignore[attr-defined]
                code, label=f"QR code to check in at meetings ({membership.reference})")
    return render(request, "membership/me.html", {
        "memberships": memberships,
        "meetings": list(meeting_list_upcoming(request.user)[:5]),
        "is_officer": bool(bodies_with_role(request.user, OFFICER_KINDS)),
    })


def _own_or_redirect(request: AuthenticatedHttpRequest) -> Membership | HttpResponse:
    reference = request.POST.get("membership") or request.GET.get("membership")
    try:
        return access_own_membership(request.user, reference)
    except NotFound as e:
        messages.warning(request, e.message)
        return redirect("me:home")


@login_required
@require_http_methods(["GET", "POST"])
def address(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _own_or_redirect(request)
    if isinstance(membership, HttpResponse):
        return membership
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                move = membership_change_address(
                    membership=membership, by=request.user, **form.cleaned_data
                )
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                if move is not None and move.to_branch is not None:
                    messages.success(request, f"Address saved. You are now in the "
                                              f"{move.to_branch.name} branch.")
                elif move is not None:
                    messages.success(request, "Address saved. Membership staff will place you "
                                              "in a branch.")
                else:
                    messages.success(request, "Address saved.")
                return redirect("me:home")
        status = 400
    else:
        form = AddressForm(initial={"address": membership.address, "postcode": membership.postcode})
        status = 200
    return render(request, "membership/me_address.html",
                  {"form": form, "membership": membership}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resign(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _own_or_redirect(request)
    if isinstance(membership, HttpResponse):
        return membership
    if membership.status in ENDED:
        # A second click, a refresh or an old tab: it is done, say so.
        return _already_ended(request, membership)
    if request.method == "POST":
        form = ResignForm(request.POST)
        if form.is_valid():
            try:
                membership_resign(membership=membership, by=request.user,
                                  reason=form.cleaned_data["reason"])
            except Refusal as e:
                if e.code == "membership_ended":  # ended meanwhile, e.g. in another tab
                    membership.refresh_from_db()
                    return _already_ended(request, membership)
                form_add_refusal(form, e)
            else:
                messages.success(request, "You have resigned. Thank you for being a member. "
                                          "We have e-mailed you to confirm it.")
                return redirect("me:home")
        status = 400
    else:
        form = ResignForm()
        status = 200
    return render(request, "membership/me_resign.html",
                  {"form": form, "membership": membership}, status=status)


def _already_ended(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    when = f" on {dateformat.format(membership.ended_on, 'j F Y')}" if membership.ended_on else ""
    messages.info(request, f"Membership {membership.reference} has already ended "
                           f"({membership.get_status_display().lower()}{when}). "
                           "There is nothing more to do.")
    return redirect("me:home")
