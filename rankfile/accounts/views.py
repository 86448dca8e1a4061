"""Account pages: API tokens, and allauth's e-mail addresses page with our rules."""

from __future__ import annotations

from typing import Any

from allauth.account.views import EmailView as AllauthEmailView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from rankfile.accounts.access import access_own_api_token, api_token_roles
from rankfile.accounts.forms import ApiTokenForm
from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.models import ApiToken, User
from rankfile.accounts.services import (
    api_token_create,
    api_token_revoke,
    email_address_make_primary,
)
from rankfile.core.errors import NotFound, Refusal
from rankfile.core.forms import form_add_refusal

# The new token's secret waits here between the POST that made it and the page that
# shows it once: a refresh of that page, or of the POST, makes no second token.
NEW_SECRET_KEY = "accounts:new-api-token"


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    roles = api_token_roles(request.user)
    form = ApiTokenForm(request.POST or None, roles=roles)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = api_token_create(user=request.user,
                                                  name=form.cleaned_data["name"],
                                                  role=form.cleaned_data.get("role"))
            except Refusal as e:
                form_add_refusal(form, e)
                status = e.http_status
            else:
                request.session[NEW_SECRET_KEY] = secret
                return redirect("accounts:tokens")
        else:
            status = 400
    response = render(request, "accounts/tokens.html", {
        "form": form,
        "secret": request.session.pop(NEW_SECRET_KEY, None),
        "tokens": ApiToken.objects.filter(user=request.user).select_related("role__body"),
        "may_create": roles.exists(),
    }, status=status)
    # The page may hold a secret: no cache keeps it, and Back does not show it again.
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        token = access_own_api_token(request.user, token_id)
    except NotFound as e:
        raise Http404(e.message) from None
    try:
        api_token_revoke(token=token, by=request.user)
    except Refusal as e:
        messages.warning(request, e.message)
    else:
        messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("accounts:tokens")


class EmailView(AllauthEmailView):
    """/accounts/email/: allauth's page, but the primary address goes through
    ``email_address_make_primary`` (verified addresses only; a refusal is a message
    on the page, never a 500)."""

    def _action_primary(self, request: HttpRequest, *args: Any, **kwargs: Any
                        ) -> HttpResponseRedirect:
        assert isinstance(request.user, User)
        try:
            address = email_address_make_primary(by=request.user, email=request.POST["email"])
        except Refusal as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{address.email} is now your primary e-mail address.")
        return HttpResponseRedirect(self.get_success_url())


email = EmailView.as_view()
