"""A member's own changes to their name and dues rate (``services/selfservice.py``), and a
supporter's upgrade to member (``services/upgrade.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.membership.forms.me import NameForm, RateForm, RejoinForm, UpgradeForm
from rankfile.membership.models import Category, Payment
from rankfile.membership.selectors import access_own_membership
from rankfile.membership.services.joining import joining_offer
from rankfile.membership.services.rejoin import AFRESH, ARREARS, membership_rejoin, rejoin_options
from rankfile.membership.services.selfservice import (
    membership_change_name,
    membership_change_rate,
    membership_rates_open,
)
from rankfile.membership.services.upgrade import membership_upgrade
from rankfile.membership.views.me import _own_or_redirect


@login_required
@require_http_methods(["GET", "POST"])
def name(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _own_or_redirect(request)
    if isinstance(membership, HttpResponse):
        return membership
    status = 200
    if request.method == "POST":
        form = NameForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                membership_change_name(membership=membership, by=request.user,
                                       **form.cleaned_data)
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, "Name saved.")
                return redirect("me:home")
    else:
        form = NameForm(initial={"first_name": membership.first_name,
                                 "last_name": membership.last_name})
    return render(request, "membership/me_name.html",
                  {"form": form, "membership": membership}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _own_or_redirect(request)
    if isinstance(membership, HttpResponse):
        return membership
    rates = [(r.code, str(r)) for r in membership_rates_open(membership)]
    status = 200
    if request.method == "POST":
        form = RateForm(request.POST, rates=rates)
        status = 400
        if form.is_valid():
            try:
                changed = membership_change_rate(membership=membership, by=request.user,
                                                 rate_code=form.cleaned_data["rate"])
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, f"Your rate is now {membership.rate}." if changed
                                 else "Your rate is unchanged.")
                return redirect("me:home")
    else:
        form = RateForm(rates=rates, initial={"rate": membership.rate.code
                                              if membership.rate else None})
    return render(request, "membership/me_rate.html",
                  {"form": form, "membership": membership, "rates": rates}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def upgrade(request: AuthenticatedHttpRequest) -> HttpResponse:
    supporter = _own_or_redirect(request)
    if isinstance(supporter, HttpResponse):
        return supporter
    offer = joining_offer(Category.Kind.MEMBER)
    rates = [(r.code, str(r)) for r in offer.rates] if offer is not None else []
    status = 200
    if request.method == "POST":
        form = UpgradeForm(request.POST, rates=rates)
        status = 400
        if form.is_valid():
            try:
                member = membership_upgrade(supporter=supporter, by=request.user,
                                            rate_code=form.cleaned_data["rate"],
                                            consent=form.cleaned_data["consent"])
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, f"Your application to become a member is "
                                          f"{member.reference}. Pay your first dues to "
                                          "make it active.")
                return redirect("me:home")
    else:
        form = UpgradeForm(rates=rates)
    return render(request, "membership/me_upgrade.html",
                  {"form": form, "membership": supporter}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rejoin(request: AuthenticatedHttpRequest) -> HttpResponse:
    reference = request.POST.get("membership") or request.GET.get("membership") or ""
    try:
        ended = access_own_membership(request.user, reference)
    except NotFound as e:
        messages.warning(request, e.message)
        return redirect("me:home")
    options = rejoin_options(ended)
    if options.refusal:
        messages.info(request, options.refusal)
        return redirect("me:home")
    offer = joining_offer(Category.Kind.MEMBER)
    rates = [(r.code, str(r)) for r in offer.rates] if offer is not None else []
    choices = []
    if options.arrears is not None:
        choices.append((ARREARS, f"Pay what you owe ({options.arrears.describe()}) and keep "
                                 "your membership continuous"))
    choices.append((AFRESH, "Start afresh: a new membership from the day you pay"))
    status = 200
    if request.method == "POST":
        form = RejoinForm(request.POST, rates=rates, choices=choices)
        status = 400
        if form.is_valid():
            try:
                made = membership_rejoin(membership=ended, by=request.user,
                                         choice=form.cleaned_data["choice"],
                                         rate_code=form.cleaned_data.get("rate") or "",
                                         consent=form.cleaned_data["consent"])
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                if isinstance(made, Payment):
                    messages.success(request, "Pay what you owe to be a member again.")
                    return redirect("me:pay", made.reference)
                messages.success(request, f"Your application to rejoin is {made.reference}. "
                                          "Pay your first dues to make it active.")
                return redirect("me:home")
    else:
        form = RejoinForm(rates=rates, choices=choices)
    return render(request, "membership/me_rejoin.html",
                  {"form": form, "membership": ended, "options": options}, status=status)
