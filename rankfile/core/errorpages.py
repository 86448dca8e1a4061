"""Error pages in the site's layout, API errors in the API's shape, and a CSRF failure
that keeps what the person typed.

Wired in ``rankfile/urls.py`` (``handler400`` … ``handler500``) and by
``CSRF_FAILURE_VIEW``. With DEBUG on, Django shows its own debugging pages instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve

from rankfile.core.errors import NotFound, PermissionRefused, Refusal

API_PREFIX = "/api/"

ViewFunc = Callable[..., HttpResponse]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(refusal: Refusal) -> JsonResponse:
    return JsonResponse(refusal.as_dict(), status=refusal.http_status)


def _message(exception: Exception | None) -> str:
    """The exception's message if a person was meant to read it (a sentence of ours), else ""."""
    message = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(message, str) or " " not in message or "matches the given query" in message:
        return ""
    return message


def _bare(template: str, status: int) -> HttpResponse:
    """A page rendered without the request's context processors: they may be what failed."""
    body = loader.get_template(template).render({"ORGANISATION_NAME": settings.ORGANISATION_NAME})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(Refusal("The request could not be read. Send JSON encoded in UTF-8.",
                                  code="malformed"))
    return _bare("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(PermissionRefused(_message(exception) or "You may not do this."))
    return render(request, "403.html", {"message": _message(exception)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(NotFound(
            _message(exception) or f"There is nothing at {request.path}. The API's endpoints "
            f"are listed at {API_PREFIX}docs."))
    return render(request, "404.html", {"message": _message(exception)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(Refusal("Something went wrong on our side. Try again in a minute.",
                                  code="server_error", http_status=500))
    return _bare("500.html", 500)


def after_csrf_failure(handler: ViewFunc) -> Callable[[ViewFunc], ViewFunc]:
    """Mark a view whose form, refused by the CSRF check, is shown again by ``handler``
    (called like the view, with the refused POST) rather than lost. Put it outermost."""

    def mark(view: ViewFunc) -> ViewFunc:
        view.after_csrf_failure = handler  # type: ignore[attr-defined]
        return view

    return mark


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (the page was open too long, or the browser kept
    no cookie). Nothing was done; the view's own handler, if it has one, shows the form
    again with what was typed."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    again: Any = getattr(match.func, "after_csrf_failure", None) if match else None
    if again is not None and request.method == "POST":
        return again(request, *match.args, **match.kwargs)  # type: ignore[union-attr]
    return render(request, "403_csrf.html", status=403)
