"""A member's copy of their data; staff's erasure requests."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.membership.access import access_membership
from rankfile.privacy.models import Erasure
from rankfile.privacy.services import (
    REASON_MAX_LENGTH,
    can_erase,
    erasure_list,
    guest_erase,
    person_erase,
    person_export,
    retention_rule,
)


@login_required
@require_GET
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "privacy/my_data.html", {"data": person_export(user=request.user),
                                                    "office": settings.MEMBERSHIP_OFFICE_EMAIL})


@login_required
@require_GET
def my_data_json(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = person_export(user=request.user)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


class _ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why", max_length=REASON_MAX_LENGTH,
        help_text="For example “Request by e-mail of 3 March”. Kept with the erasure record.",
        error_messages={"required": "Say why, for example “Request by e-mail of 3 March”."})


class EraseForm(_ReasonForm):
    field_order = ("reference", "reason")
    reference = forms.CharField(
        label="Membership reference", max_length=40,
        help_text="Any membership of the person, for example RF-AB12CD34. Their login and all "
                  "their memberships are erased.",
        error_messages={"required": "Enter the person's membership reference."})


class GuestEraseForm(_ReasonForm):
    field_order = ("email", "reason")
    email = forms.CharField(
        label="The guest's e-mail address", max_length=254,
        help_text="The address they signed up with on a public meeting's page. Every sign-up "
                  "with it is anonymised. For a member, use their membership reference above.",
        error_messages={"required": "Enter the address the guest signed up with."})


def _page(request: AuthenticatedHttpRequest, erasures: list[Erasure], *,
          form: EraseForm | None = None, guest_form: GuestEraseForm | None = None,
          status: int = 200) -> HttpResponse:
    return render(request, "privacy/staff_erasures.html", {
        "form": form or EraseForm(), "guest_form": guest_form or GuestEraseForm(prefix="guest"),
        "erasures": erasures, "may_erase": can_erase(request.user), "rule": retention_rule()},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_erasures(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        erasures = erasure_list(by=request.user)
    except PermissionRefused as e:
        return render(request, "privacy/refused.html", {"message": e.message}, status=403)
    form = EraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if not can_erase(request.user):
                    raise PermissionRefused("Only membership staff can erase a person.",
                                            code="not_staff")
                membership = access_membership(request.user, form.cleaned_data["reference"])
                erasure = person_erase(user=membership.user, by=request.user,
                                       reason=form.cleaned_data["reason"])
            except PermissionRefused as e:
                return render(request, "privacy/refused.html", {"message": e.message},
                              status=403)
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                if erasure.status == erasure.Status.DONE:
                    messages.success(request, f"{erasure.pseudonym} is erased.")
                else:
                    messages.warning(request, f"The erasure of {erasure.pseudonym} is deferred: "
                                     + " ".join(erasure.holds))
                return redirect("privacy:staff_erasures")
    return _page(request, erasures, form=form, status=status)


@login_required
@require_POST
def staff_guest_erasure(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        erasures = erasure_list(by=request.user)
    except PermissionRefused as e:
        return render(request, "privacy/refused.html", {"message": e.message}, status=403)
    form = GuestEraseForm(request.POST, prefix="guest")
    if form.is_valid():
        try:
            erasure = guest_erase(email=form.cleaned_data["email"], by=request.user,
                                  reason=form.cleaned_data["reason"])
        except PermissionRefused as e:
            return render(request, "privacy/refused.html", {"message": e.message}, status=403)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, f"The guest {erasure.pseudonym} is erased.")
            return redirect("privacy:staff_erasures")
    return _page(request, erasures, guest_form=form, status=400)
