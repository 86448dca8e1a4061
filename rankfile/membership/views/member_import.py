"""Staff import members from a previous system: upload and check (a dry run), then import.

As with bank statements, the checked file travels to the import step inside
the page, signed, so the dry run writes nothing and the import imports exactly
what was checked (and checks it again).
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import can_import_members
from rankfile.membership.forms.officers import MemberImportForm
from rankfile.membership.services.imports import (
    MAX_BYTES,
    OPTIONAL,
    REQUIRED,
    ImportReport,
    member_import,
    member_import_check,
)
from rankfile.membership.views.staff import _forbidden

TOKEN_SALT = "rankfile.membership.member-import"
TOKEN_MAX_AGE = 3600


def _page(request: AuthenticatedHttpRequest, form: MemberImportForm, *,
          report: ImportReport | None = None, token: str = "", error: str = "",
          status: int = 200) -> HttpResponse:
    return render(request, "membership/staff_member_import.html", {
        "form": form, "report": report, "token": token, "error": error,
        "required": REQUIRED, "optional": OPTIONAL, "max_mb": MAX_BYTES // 1024 // 1024,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the upload form; POST: check a file (the dry run), importing nothing."""
    if not can_import_members(request.user):
        return _forbidden(request)
    if request.method == "GET":
        return _page(request, MemberImportForm())
    form = MemberImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        form.add_error("file", f"The file is over {MAX_BYTES // 1024 // 1024} MB: split it "
                               "into smaller files.")
        return _page(request, form, status=400)
    data = upload.read()
    try:
        report = member_import_check(data=data, by=request.user)
    except PermissionRefused:
        return _forbidden(request)
    if report.errors:
        form.add_error("file", f"The file has {len(report.errors)} error"
                               f"{'s' if len(report.errors) != 1 else ''}: nothing can be "
                               "imported from it. Correct the file and check it again.")
        return _page(request, form, report=report, status=400)
    token = signing.dumps({"n": upload.name, "d": base64.b64encode(data).decode()},
                          salt=TOKEN_SALT, compress=True)
    return _page(request, MemberImportForm(), report=report, token=token)


@login_required
@require_POST
def member_import_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_import_members(request.user):
        return _forbidden(request)
    try:
        checked = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT,
                                max_age=TOKEN_MAX_AGE)
        data = base64.b64decode(checked["d"])
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return _page(request, MemberImportForm(), status=400,
                     error="This check is out of date or incomplete. Upload the file and "
                           "check it again.")
    try:
        report = member_import(data=data, filename=str(checked.get("n", "")), by=request.user)
    except PermissionRefused:
        return _forbidden(request)
    except Refusal as e:  # the file's people joined since it was checked?
        return _page(request, MemberImportForm(), error=e.message, status=e.http_status)
    messages.success(request, f"{report.imported} member{'s' if report.imported != 1 else ''} "
                              "imported.")
    return redirect("membership:staff_member_import")
