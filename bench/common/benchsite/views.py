"""Baseline views for the sign-up surge benchmark (bench/signup_surge)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from benchsite.models import BenchRow


@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    """The cheapest answer through the whole stack: no database."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


# The benchmark's client has no CSRF token, as the API's clients have none.
@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """Commit one row and answer 201: the floor cost of any acknowledged write."""
    row = BenchRow.objects.create(created_at=timezone.now())
    return HttpResponse(b'{"id":%d}' % row.pk, status=201, content_type="application/json")
