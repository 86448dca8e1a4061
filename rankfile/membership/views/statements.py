"""Staff import bank statements: upload, check the report (a dry run), then import.

The checked file travels to the import step inside the page, signed, so the
dry run writes nothing and the import imports exactly what was checked.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.forms.staff import StatementForm
from rankfile.membership.models import BankLine, BankStatement
from rankfile.membership.services.bank import (
    MAX_BYTES,
    Report,
    bank_statement_check,
    bank_statement_import,
    bank_statement_list,
    bank_statement_report,
)
from rankfile.membership.services.payments import can_record_payments, format_pence
from rankfile.membership.views.staff import _forbidden

TOKEN_SALT = "rankfile.membership.bank-statement"
TOKEN_MAX_AGE = 3600


def _token(data: bytes, filename: str, encoding: str) -> str:
    return signing.dumps({"n": filename, "e": encoding, "d": base64.b64encode(data).decode()},
                         salt=TOKEN_SALT, compress=True)


def _page(request: AuthenticatedHttpRequest, form: StatementForm, *, report: Report | None = None,
          token: str = "", error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "membership/staff_statements.html", {
        "form": form, "report": report, "token": token, "error": error,
        "statements": bank_statement_list() if report is None else [],
        "outcomes": BankLine.Outcome, "max_mb": MAX_BYTES // 1024 // 1024,
        "matched_total": format_pence(report.matched_pence) if report else "",
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def statements(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the upload form and the statements imported; POST: check a file (the dry run)."""
    if not can_record_payments(request.user):
        return _forbidden(request)
    if request.method == "GET":
        return _page(request, StatementForm())
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["statement"]
    if upload.size > MAX_BYTES:
        form.add_error("statement", f"The file is over {MAX_BYTES // 1024 // 1024} MB. Export a "
                                    "shorter period.")
        return _page(request, form, status=400)
    data = upload.read()
    try:
        report = bank_statement_check(data=data, filename=upload.name, by=request.user,
                                      encoding=form.cleaned_data["encoding"])
    except PermissionRefused:
        return _forbidden(request)
    if report.errors:
        form.add_error("statement", f"The statement has {len(report.errors)} error"
                                    f"{'s' if len(report.errors) != 1 else ''}: nothing can be "
                                    "imported from it. Correct the file and check it again.")
        return _page(request, form, report=report, status=400)
    return _page(request, StatementForm(), report=report,
                 token=_token(data, upload.name, form.cleaned_data["encoding"]))


@login_required
@require_POST
def statement_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_record_payments(request.user):
        return _forbidden(request)
    try:
        checked = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT,
                                max_age=TOKEN_MAX_AGE)
        data = base64.b64decode(checked["d"])
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return _page(request, StatementForm(), status=400,
                     error="This check is out of date or incomplete. Upload the statement and "
                           "check it again.")
    try:
        report = bank_statement_import(data=data, filename=checked["n"], by=request.user,
                                       encoding=checked["e"])
    except PermissionRefused:
        return _forbidden(request)
    except Refusal as e:  # StatementHasErrors too: the file changed since it was checked?
        return _page(request, StatementForm(), error=e.message, status=e.http_status)
    assert report.statement is not None
    messages.success(request, f"Statement imported: {report.count('matched')} payment"
                              f"{'s' if report.count('matched') != 1 else ''} recorded "
                              f"({format_pence(report.matched_pence)}).")
    return redirect("membership:staff_statement", report.statement.pk)


@login_required
@require_GET
def statement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_record_payments(request.user):
        return _forbidden(request)
    statement = get_object_or_404(BankStatement.objects.select_related("imported_by"), pk=pk)
    report = bank_statement_report(statement=statement, by=request.user)
    return render(request, "membership/staff_statement.html", {
        "statement": statement, "report": report, "outcomes": BankLine.Outcome,
        "matched_total": format_pence(report.matched_pence),
    })
