"""Officers' two-factor authentication: TOTP and recovery codes, through allauth's MFA.

An officer (``access.needs_two_factor``: anyone holding a role that reads
members' records or enters the admin) reaches the officers' and staff pages and
the admin only with an authenticator app set up *and* used in this session:
at login (allauth asks for the code after the password), on setting it up, or
when asked again here. Anyone else passes through: the page itself refuses
them as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from rankfile.accounts.access import needs_two_factor
from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import User

# Paths of pages that show members' records or change the organisation: the
# officers' and staff pages, the admin, API tokens, and running an election (or a
# selection, which creates its ballot).
GUARDED_PREFIXES = ("/officers/", "/staff/", "/admin/", "/account/tokens/")
GUARDED_ELECTION_PAGE = re.compile(r"^/(elections|selections)/[^/]+/manage/")
# Set in the session when an officer proves the app's code while setting it up.
SESSION_KEY = "rankfile_two_factor_at"


def has_two_factor(user: AnyUser) -> bool:
    """True if ``user`` has an authenticator app set up."""
    return bool(user.is_authenticated and Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.TOTP).exists())


def passed_two_factor(request: HttpRequest) -> bool:
    """True if this session's login used a second factor (a code or a recovery code)."""
    if request.session.get(SESSION_KEY):
        return True
    user = request.user
    if not isinstance(user, User):
        return False
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def mark_two_factor_passed(request: HttpRequest) -> None:
    from django.utils import timezone

    request.session[SESSION_KEY] = timezone.now().timestamp()


def two_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where to send an officer who has not passed two-factor in this session, if anywhere."""
    user = request.user
    if not user.is_authenticated or not needs_two_factor(user):
        return None
    if not has_two_factor(user):
        messages.warning(request, "Officers need two-factor authentication to reach this page: "
                                  "set up an authenticator app first.")
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
    if passed_two_factor(request):
        return None
    messages.warning(request, "Enter your two-factor code to reach the officers' pages.")
    return HttpResponseRedirect(reverse("mfa_reauthenticate") + "?"
                                + urlencode({"next": request.get_full_path()}))


class OfficerTwoFactorMiddleware:
    """Sends an officer without two-factor (set up and used) away from guarded pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.path.startswith(GUARDED_PREFIXES)
                or GUARDED_ELECTION_PAGE.match(request.path)):
            refused = two_factor_redirect(request)
            if refused is not None:
                return refused
        return self.get_response(request)


def on_authenticator_added(sender: Any, request: HttpRequest | None = None, user: Any = None,
                           authenticator: Authenticator | None = None, **kwargs: Any) -> None:
    """Setting up the app proves a code from it: this session has passed two-factor."""
    if (request is not None and authenticator is not None
            and authenticator.type == Authenticator.Type.TOTP and hasattr(request, "session")):
        mark_two_factor_passed(request)
