"""Pages to change the e-mail address one logs in with, confirmed from the new address."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rankfile.accounts.email_change import (
    email_change_confirm,
    email_change_peek,
    email_change_request,
)
from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.core.net import rate_limit

CHANGE_LIMIT = 5  # requests to change one's address, per login and hour


class EmailChangeForm(forms.Form):
    email = forms.CharField(
        label="New e-mail address", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to it. Your address changes when you open that link.",
        error_messages={"required": "Enter your new e-mail address."},
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                # Counted per login before anything is sent: each request mails the
                # address typed, so unlimited requests would flood someone's inbox.
                rate_limit(request, scope="email-change", limit=CHANGE_LIMIT,
                           per_seconds=3600, key=f"user-{request.user.pk}")
                new = email_change_request(user=request.user, by=request.user,
                                           new_email=form.cleaned_data["email"])
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, f"We have sent a link to {new}. Open it to confirm "
                                          "the change; until then you log in with "
                                          f"{request.user.email}.")
                return redirect("me:home")
    return render(request, "accounts/email_change.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows the button: mail scanners that open links change nothing.
    try:
        if request.method == "POST":
            user = email_change_confirm(token=token)
            messages.success(request, f"Your e-mail address is now {user.email}. Log in with it "
                                      "from now on.")
            return redirect("me:home" if request.user.is_authenticated else "account_login")
        new = email_change_peek(token)
    except Refusal as e:
        return render(request, "accounts/email_confirm.html", {"error": e.message}, status=400)
    return render(request, "accounts/email_confirm.html", {"new": new})
