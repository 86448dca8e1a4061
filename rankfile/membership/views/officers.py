"""Member lists for officers: national staff see everyone, a branch secretary their branch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.models import User
from rankfile.core.db import custom_plans
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.membership.access import can_read_access_log, exportable_branches
from rankfile.membership.forms.officers import AccessLogFilter
from rankfile.membership.models import Membership
from rankfile.membership.selectors import (
    access_log_list,
    branch_list_for,
    member_timeline,
    membership_list_for,
)
from rankfile.membership.services.records import branch_members_export, member_record_open
from rankfile.membership.views.me import STATUS_WORDS

PAGE_SIZE = 50
# A search counts at most this many matches: counting all of "E17" among 650,000 people
# costs more than the page itself, and nobody pages through a thousand records.
SEARCH_CAP = 1000


class CappedPaginator(Paginator):
    """Counts up to ``SEARCH_CAP + 1`` matches, so that 20 pages can be walked and the
    page can say "more than 1,000"."""

    @cached_property
    def count(self) -> int:
        found: QuerySet[Membership] = self.object_list  # type: ignore[assignment]
        # No ORDER BY: which 1,001 are counted does not matter, so nothing is sorted.
        return found.order_by()[:SEARCH_CAP + 1].count()


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
    with custom_plans():  # a prefix search needs a plan made for its own pattern
        page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        list(page.object_list)  # fetched here, inside; the template reuses the rows
    return render(request, "membership/officers_members.html", {
        "page": page, "q": q, "cap": SEARCH_CAP, "capped": page.paginator.count > SEARCH_CAP, "status": status, "statuses": Membership.Status.choices,
        "branches": branches if len(branches) > 1 else [], "branch": branch,
    })


@login_required
@require_GET
def member_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    try:
        membership = member_record_open(by=request.user, reference=reference,
                                        purpose="Member's record page")
    except (PermissionRefused, NotFound) as e:
        return _refused(request, e)
    return render(request, "membership/officers_member.html", {
        "m": membership,
        "status_words": STATUS_WORDS.get(membership.status, ""),
        "payments": membership.payments.all(),
        "timeline": member_timeline(membership),
    })


@login_required
@require_GET
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The access log, for auditors: who looked at which member's record, and when."""
    if not can_read_access_log(request.user):
        return _refused(request, PermissionRefused(
            "Only auditors read the log of who looked at members' records.",
            code="not_an_auditor"))
    form = AccessLogFilter(request.GET or None)
    found = access_log_list(**form.filters()) if form.is_valid() or not request.GET \
        else access_log_list().none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    emails = dict(User.objects.filter(pk__in={a.by_id for a in page.object_list})
                  .values_list("pk", "email"))
    rows = [(a, emails.get(a.by_id, "")) for a in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "membership/officers_access_log.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
    }, status=200 if form.is_valid() or not request.GET else 400)


@login_required
@require_GET
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    branches = exportable_branches(request.user)
    if not branches:
        return _refused(request, PermissionRefused(
            "Only branch and constituency secretaries and staff export members.",
            code="not_an_exporter"))
    return render(request, "membership/officers_export.html", {"branches": branches})


@login_required
@require_POST
def export_branch(request: AuthenticatedHttpRequest, branch_id: int) -> HttpResponse:
    try:
        branch, rows = branch_members_export(by=request.user, branch_id=branch_id)
    except (PermissionRefused, NotFound) as e:
        return _refused(request, e)
    response = HttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-{branch.code}.csv"'
    response["Cache-Control"] = "no-store"
    return response
