"""Boundary changes: moving the members of a ward that changes branch."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from rankfile.branches.models import Body, Ward
from rankfile.branches.selectors import place_postcode_forget
from rankfile.membership.models import BranchChange, Membership


def boundary_change_reason(effective_from: dt.date) -> str:
    return f"Boundary change effective {effective_from.day} {effective_from:%B %Y}"


def boundary_change_apply(*, ward: Ward, to_branch: Body, effective_from: dt.date,
                          by: object = None, at: dt.datetime | None = None) -> int:
    """Move every membership placed in ``ward`` to ``to_branch``, keeping history.

    Each moved membership gets a ``BranchChange`` whose reason names the day the
    change takes effect. The caller closes the old ``WardPlacement`` and opens
    the new one (``geo_import`` does both in the same transaction); this only
    moves the people. Members are moved now, even if ``effective_from`` is
    later: their branch is where their ward will be.

    Returns:
        How many memberships were moved.
    """
    at = at or timezone.now()
    by = by if getattr(by, "pk", None) else None
    reason = boundary_change_reason(effective_from)
    with transaction.atomic():
        transaction.on_commit(place_postcode_forget)
        moving = (
            Membership.objects.select_for_update()
            .filter(ward=ward)
            .exclude(branch=to_branch)
            .only("pk", "branch_id", "postcode")
        )
        changes = [
            BranchChange(
                membership_id=m.pk, from_branch_id=m.branch_id, to_branch=to_branch,
                from_postcode=m.postcode, to_postcode=m.postcode, at=at, by=by, reason=reason,
            )
            for m in moving
        ]
        if changes:
            BranchChange.objects.bulk_create(changes)
            ids = [c.membership_id for c in changes]
            # Chunks keep each statement under SQLite's limit on parameters.
            for start in range(0, len(ids), 900):
                Membership.objects.filter(pk__in=ids[start:start + 900]).update(branch=to_branch)
        return len(changes)
