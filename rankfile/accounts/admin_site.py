"""The admin site, entered through roles and the site's own login.

- Who enters: national staff (who write) and national auditors (who read);
  ``accounts.access.can_enter_admin``. ``is_staff`` and ``is_superuser`` grant
  nothing.
- How: ``/admin/login/`` sends people to the site's login
  (``/accounts/login/?next=...``), so its rate limits (and, later, two-factor)
  apply; the admin has no password form of its own.
- A logged-in person without the right gets a plain 403, not a login form
  inviting them to try another account.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from rankfile.accounts.access import can_enter_admin

REFUSED = ("The admin is for membership staff and auditors. If you need to use it, ask "
           "membership staff to give you a role.")


class RankfileAdminSite(admin.AdminSite):
    site_header = "Rank & File admin"
    site_title = "Rank & File admin"
    index_title = "Membership staff"

    def has_permission(self, request: HttpRequest) -> bool:
        return can_enter_admin(request.user)

    def refused(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/admin_refused.html", {"message": REFUSED}, status=403)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False  # type: ignore[override]
                   ) -> Callable[..., Any]:
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                return self.refused(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def _next(self, request: HttpRequest) -> str:
        wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
        if wanted and url_has_allowed_host_and_scheme(
                wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return wanted
        return reverse("admin:index", current_app=self.name)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None
              ) -> HttpResponse:
        """Send people to the site's login, never authenticate here."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(self._next(request))
            return self.refused(request)
        login_url = resolve_url(settings.LOGIN_URL)
        return redirect(f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: self._next(request)})}")

    def password_change(self, request: HttpRequest,  # type: ignore[override]
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return redirect("account_change_password")

    def password_change_done(self, request: HttpRequest,  # type: ignore[override]
                             extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return redirect("account_change_password")
