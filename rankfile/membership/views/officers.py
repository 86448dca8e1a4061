"""Member lists for officers: national staff see everyone, a branch secretary their branch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.membership.models import Membership
from rankfile.membership.selectors import (
    access_membership,
    branch_list_for,
    membership_list_for,
)
from rankfile.membership.views.me import STATUS_WORDS

PAGE_SIZE = 50


def _refused(request: AuthenticatedHttpRequest, e: PermissionRefused | NotFound) -> HttpResponse:
    return render(request, "membership/officers_refused.html", {"error": e}, status=e.http_status)


@login_required
@require_GET
def member_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    try:
        branches = branch_list_for(request.user)
        branch = next((b for b in branches if str(b.pk) == request.GET.get("branch")), None)
        found = membership_list_for(request.user, q=q, status=status, branch=branch)
    except PermissionRefused as e:
        return _refused(request, e)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "membership/officers_members.html", {
        "page": page, "q": q, "status": status, "statuses": Membership.Status.choices,
        "branches": branches if len(branches) > 1 else [], "branch": branch,
    })


@login_required
@require_GET
def member_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    try:
        membership = access_membership(request.user, reference)
    except (PermissionRefused, NotFound) as e:
        return _refused(request, e)
    return render(request, "membership/officers_member.html", {
        "m": membership,
        "status_words": STATUS_WORDS.get(membership.status, ""),
        "payments": membership.payments.all(),
        "history": membership.history.select_related("by"),
        "moves": membership.branch_history.select_related("from_branch", "to_branch", "by"),
    })
