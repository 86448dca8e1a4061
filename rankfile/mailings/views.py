"""Mail preferences, one-click unsubscribe, and a secretary's e-mail to the branch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.mailings.access import access_body_to_mail, bodies_to_mail
from rankfile.mailings.forms import BranchMailForm, PreferencesForm
from rankfile.mailings.services import (
    branch_mail_preview,
    branch_mail_send,
    branch_mailing_list,
    preferences_change,
    preferences_of,
    recipients_of,
    unsubscribe,
    unsubscribe_check,
)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            preferences_change(user=request.user, by=request.user,
                               branch_mail=form.cleaned_data["branch_mail"])
            messages.success(request, "Your e-mail choices are saved.")
            return redirect("mailings:preferences")
    form = PreferencesForm(initial={"branch_mail": preferences_of(request.user).branch_mail})
    return render(request, "mailings/preferences.html", {"form": form})


# A mail program's one-click POST (RFC 8058) carries no CSRF token; the signed link
# is the proof, and all it can do is turn branch mail off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            done = unsubscribe(token=token)
            return render(request, "mailings/unsubscribed.html", {"done": done})
        pending = unsubscribe_check(token)
    except Refusal as e:
        return render(request, "mailings/unsubscribed.html", {"error": e.message}, status=400)
    if not pending:
        return render(request, "mailings/unsubscribed.html", {"done": False})
    # GET changes nothing (link scanners open links): one button does it.
    return render(request, "mailings/unsubscribe.html", {})


def _refused(request: HttpRequest, e: Refusal) -> HttpResponse:
    return render(request, "mailings/refused.html", {"message": e.message}, status=e.http_status)


@login_required
@require_GET
def officer_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    bodies = bodies_to_mail(request.user)
    if not bodies:
        return _refused(request, PermissionRefused(
            "Only a branch's secretary can e-mail its members.", code="not_a_secretary"))
    return render(request, "mailings/officer_home.html", {"bodies": [
        (b, branch_mailing_list(by=request.user, body=b, limit=20)) for b in bodies]})


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        body = access_body_to_mail(request.user, code)
    except (PermissionRefused, NotFound) as e:
        return _refused(request, e)
    form = BranchMailForm(request.POST or None)
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {"body": body, "by": request.user, "subject": form.cleaned_data["subject"],
                    "text": form.cleaned_data["message"]}
            try:
                if request.POST.get("action") == "send":
                    mailing = branch_mail_send(**data)
                else:
                    preview = branch_mail_preview(**data)
                    status = 200
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                if preview is None:
                    messages.success(request, f"“{mailing.subject}” is on its way to the "
                                              f"members of {body.name}.")
                    return redirect("mailings:officer_home")
    return render(request, "mailings/compose.html", {
        "form": form, "body": body, "preview": preview,
        "recipients": recipients_of(body).count()}, status=status)
