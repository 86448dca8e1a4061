"""Officers reading members' records, each look written to the access log.

Every page, export and API call that shows a member's record to an officer
goes through here, so the log (``RecordAccess``) is complete: who, whom, when,
why, and whether it was allowed. A refusal is logged too, and answered exactly
as the same request for a reference that does not exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.membership.access import access_export_branch, access_membership
from rankfile.membership.models import Membership, RecordAccess


def _clean(reference: str) -> str:
    return (reference or "").replace("\x00", "").strip()[:40]


def record_access_log(*, by: Actor, action: str, purpose: str, allowed: bool,
                      reference: str = "", membership_id: int | None = None) -> None:
    """Writes one line of the access log (nothing for a visitor who is not logged in)."""
    if by is None or not by.is_authenticated or by.pk is None:
        return
    RecordAccess.objects.create(
        at=timezone.now(), by_id=by.pk, membership_id=membership_id,
        reference=_clean(reference), action=action, purpose=purpose[:200], allowed=allowed)


def member_record_open(*, by: Actor, reference: str, purpose: str,
                       action: str = RecordAccess.Action.VIEW,
                       under: Role | None = None) -> Membership:
    """The membership with ``reference`` for ``by``, the look logged either way.

    A refused look records the membership it was aimed at, if there is one, so
    auditors see whose record an officer tried to open; the officer gets the
    same ``NotFound`` as for a reference that does not exist.

    Raises:
        PermissionRefused: ``by`` holds no role that reads members' records.
        NotFound: no membership with that reference that ``by`` may see.
    """
    try:
        membership = access_membership(by, reference, under=under)
    except (NotFound, PermissionRefused):
        cleaned = _clean(reference)
        target = (Membership.objects.filter(reference__iexact=cleaned)
                  .values_list("pk", flat=True).first()) if cleaned else None
        record_access_log(by=by, action=action, purpose=purpose, allowed=False,
                          reference=cleaned, membership_id=target)
        raise
    record_access_log(by=by, action=action, purpose=purpose, allowed=True,
                      reference=membership.reference, membership_id=membership.pk)
    return membership


def record_export_log(*, by: Actor, memberships: Iterable[tuple[int, str]], purpose: str) -> int:
    """Logs an export of ``memberships`` (pairs of pk and reference) by ``by``; their count."""
    if by is None or not by.is_authenticated or by.pk is None:
        return 0
    now = timezone.now()
    rows = [RecordAccess(at=now, by_id=by.pk, membership_id=pk, reference=ref,
                         action=RecordAccess.Action.EXPORT, purpose=purpose[:200], allowed=True)
            for pk, ref in memberships]
    with transaction.atomic():
        RecordAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


EXPORT_COLUMNS = ("reference", "first_name", "last_name", "email", "category", "status",
                  "address", "postcode", "ward", "joined_on", "good_standing_since")
EXPORT_PURPOSE = "Branch members' list (CSV)"


def _safe_cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula: one starting = + - @ or a tab is
    quoted with a leading apostrophe (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def branch_members_export(*, by: Actor, branch_id: int) -> tuple[Body, str]:
    """The CSV of ``branch_id``'s current members (not those ended), for ``by``; each
    member's export logged in the access log.

    Raises:
        NotFound: no such branch whose members ``by`` may export.
    """
    from rankfile.membership.services.status import ENDED

    branch = access_export_branch(by, branch_id)
    members = list(
        Membership.objects.filter(branch=branch).exclude(status__in=ENDED)
        .select_related("user", "category", "ward").order_by("last_name", "first_name", "pk"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for m in members:
        writer.writerow([_safe_cell(v) for v in (
            m.reference, m.first_name, m.last_name, m.user.email, m.category.kind, m.status,
            m.address, m.postcode, m.ward.name if m.ward else "", m.joined_on or "",
            m.good_standing_since or "")])
    record_export_log(by=by, memberships=[(m.pk, m.reference) for m in members],
                      purpose=f"{EXPORT_PURPOSE}: {branch.name}")
    return branch, out.getvalue()
