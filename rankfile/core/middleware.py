"""Middleware: hostile input refused at the door, and the headers every answer carries.

``HostileInputMiddleware`` answers 400 for a NUL character anywhere a view could
read it (path, query string, cookies, form fields, a JSON body) and 413 for a body
larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, before any view, form or query sees
it: PostgreSQL refuses NUL in text, so without it a NUL became a 500 wherever a
value reached a query. Under ``/api/`` the answer is the API's JSON error shape.

``SecurityHeadersMiddleware`` adds ``Permissions-Policy`` to every answer and
``Cache-Control: no-store`` to every answer given to a logged-in person or to a
bearer token (pages and API answers that show personal data or a secret).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers, patch_cache_control

from rankfile.core.errors import RateLimited, Refusal
from rankfile.core.net import rate_limit

API_PREFIX = "/api/"
NUL = "\x00"
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,40}")
# Browser features the site never uses: no page, and no script injected into one, gets them.
POLICY_FEATURES = (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "screen-wake-lock", "usb", "xr-spatial-tracking", "browsing-topics")
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in POLICY_FEATURES)


def permissions_policy(*, allow_self: tuple[str, ...] = ()) -> str:
    """The site's Permissions-Policy with ``allow_self`` features opened to our own pages
    only (the door's camera), every other feature still off. A view sets it on its answer;
    the middleware leaves a header a view set alone."""
    return ", ".join(f"{feature}=(self)" if feature in allow_self else f"{feature}=()"
                     for feature in POLICY_FEATURES)

Middleware = Callable[[HttpRequest], HttpResponse]


class HostileInput(Refusal):
    code = "malformed"


class NulCharacter(HostileInput):
    code = "unreadable"


def _refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(refusal.as_dict(), status=refusal.http_status)
    body = loader.get_template("400.html").render({
        "ORGANISATION_NAME": settings.ORGANISATION_NAME, "message": refusal.message})
    return HttpResponse(body, status=refusal.http_status)


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in v for v in values)


def _query_nul(query: QueryDict) -> str | None:
    """The first parameter whose name or value holds a NUL ("" if its name is not
    one to repeat back), or None."""
    key = next((key for key in query if NUL in key or _has_nul(query.getlist(key))), None)
    return key if key is None or FIELD_NAME.fullmatch(key) else ""


def _json_has_nul(data: Any) -> bool:
    if isinstance(data, str):
        return NUL in data
    if isinstance(data, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_json_has_nul(v) for v in data)
    return False


def _json_nul(data: Any) -> str | None:
    """The top-level field whose value holds a NUL ("" for the whole body), or None."""
    if isinstance(data, dict):
        for key, value in data.items():
            if _json_has_nul(key) or _json_has_nul(value):
                return key if FIELD_NAME.fullmatch(key) else ""
        return None
    return "" if _json_has_nul(data) else None


def _nul(field: str | None) -> Refusal:
    where = f" (in {field})" if field else ""
    return NulCharacter(
        f"The request contains a NUL character (%00){where}, which no address, form or text "
        "on this site may contain. Remove it and try again.", field=field or None)


def _too_large() -> Refusal:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return HostileInput(
        f"The request is too large: send at most {limit // 1024:,} KB.",
        code="too_large", http_status=413)


def hostile_input_refusal(request: HttpRequest) -> Refusal | None:
    """Why ``request`` is refused before any view reads it, or None."""
    if NUL in request.path_info or NUL in request.path:
        return _nul(None)
    try:
        field = _query_nul(request.GET)
    except TooManyFieldsSent:
        return HostileInput("The address has too many parameters.")
    if field is not None:
        return _nul(field)
    if _has_nul(request.COOKIES.values()) or _has_nul(request.COOKIES):
        return _nul(None)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HostileInput("The request's Content-Length is not a number.")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        # Uploaded files may hold NUL bytes (a bank statement export can); their text
        # fields may not. Django itself caps the fields at DATA_UPLOAD_MAX_MEMORY_SIZE.
        # A small body is read first, so a view may still read request.body after the
        # form is parsed from it; a large upload is parsed as a stream.
        try:
            if limit is None or length <= limit:
                request.body  # noqa: B018 - read and keep it
            field = _query_nul(request.POST)
        except RequestDataTooBig:
            return _too_large()
        except TooManyFieldsSent:
            return HostileInput("The form sent too many fields.")
        except Exception:  # noqa: BLE001 - a broken multipart body
            return HostileInput("The form's data could not be read.")
        return None if field is None else _nul(field)
    if limit is not None and length > limit:
        return _too_large()
    try:
        body = request.body
    except RequestDataTooBig:
        return _too_large()
    if content_type == "application/x-www-form-urlencoded":
        if b"%00" in body or b"\x00" in body:
            try:
                field = _query_nul(request.POST)
            except TooManyFieldsSent:
                return HostileInput("The form sent too many fields.")
            return None if field is None else _nul(field)
        return None
    if b"\\u0000" in body and content_type.endswith("json"):
        try:
            data = json.loads(body)
        except ValueError:
            return None  # not JSON: the view's parser answers that
        field = _json_nul(data)
        return None if field is None else _nul(field)
    if b"\x00" in body:
        return _nul(None)
    return None


class HostileInputMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = hostile_input_refusal(request)
        if refusal is not None:
            return _refused(request, refusal)
        return self.get_response(request)


# Forms whose views are not ours (django-allauth's, the admin's): every POST counts
# against the client's address before the view runs, so a refused attempt
# writes nothing. URL name: (scope, attempts, per seconds). Allauth's own
# limits (failed logins per address and per account) apply as well. Our own
# forms (joining, comments, the API) count in their views, where the refusal
# can be shown beside the form.
EDGE_RATE_LIMITS: dict[str, tuple[str, int, int]] = {
    "account_login": ("login", 30, 600),
    "admin:login": ("login", 30, 600),
    "account_signup": ("signup", 20, 600),
    "account_reset_password": ("password-reset", 10, 600),
    "account_reset_password_from_key": ("password-reset-key", 20, 600),
}


class EdgeRateLimitMiddleware:
    """Rate limits on the POSTs of ``EDGE_RATE_LIMITS``, through ``core.net.rate_limit``."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        limit = EDGE_RATE_LIMITS.get(match.view_name) if match is not None else None
        if request.method != "POST" or limit is None:
            return None
        scope, count, seconds = limit
        try:
            rate_limit(request, scope=scope, limit=count, per_seconds=seconds)
        except RateLimited as e:
            return render(request, "429.html", {"message": e.message}, status=e.http_status)
        return None


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or (
            request.path.startswith(API_PREFIX) and "HTTP_AUTHORIZATION" in request.META)
        if personal:
            # Nothing shown to a logged-in person is kept by the browser or a proxy:
            # the back button on a shared computer shows no member's details.
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
            if response.has_header("Cache-Control"):
                cc = response["Cache-Control"]
                parts = [p.strip() for p in cc.split(",")
                         if not p.strip().startswith(("public", "max-age=", "s-maxage="))]
                response["Cache-Control"] = ", ".join(
                    sorted(set(parts) | {"no-store", "no-cache", "must-revalidate", "private",
                                         "max-age=0"}))
        return response
