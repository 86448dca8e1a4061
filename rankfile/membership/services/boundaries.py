"""Boundary changes: members follow their ward when it moves branch or constituency.

The geography import (``branches.services.importing.geo_import``) knows places,
not people; it lists the wards that moved and calls ``members_follow_boundaries``
inside its transaction (``rankfile import_geo`` wires the two together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.branches.models import Body, Ward
from rankfile.branches.selectors import place_postcode_forget
from rankfile.branches.services.importing import GeoImportReport, WardMove, geo_import
from rankfile.core.errors import PermissionRefused
from rankfile.membership.access import can_import_geography
from rankfile.membership.models import BranchChange, Membership

# Chunks keep each statement under SQLite's limit on parameters.
CHUNK = 900


def boundary_change_reason(effective_from: dt.date) -> str:
    return f"Boundary change effective {effective_from.day} {effective_from:%B %Y}"


def _check_may_import(by: Actor) -> None:
    if not can_import_geography(by):
        raise PermissionRefused("Only membership staff can change the local structure.",
                                code="not_staff")


def boundary_change_apply(*, ward: Ward, to_branch: Body, effective_from: dt.date,
                          by: Actor, at: dt.datetime | None = None) -> int:
    """Move every membership placed in ``ward`` to ``to_branch``, keeping history.

    Each moved membership gets a ``BranchChange`` whose reason names the day the
    change takes effect. The caller closes the old ``WardPlacement`` and opens
    the new one (``geo_import`` does both in the same transaction); this only
    moves the people. Members are moved now, even if ``effective_from`` is
    later: their branch is where their ward will be.

    Returns:
        How many memberships were moved.

    Raises:
        PermissionRefused: ``by`` is neither the system nor national staff.
    """
    _check_may_import(by)
    at = at or timezone.now()
    person = by if isinstance(by, User) else None
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
                from_postcode=m.postcode, to_postcode=m.postcode, at=at, by=person, reason=reason,
            )
            for m in moving
        ]
        if changes:
            BranchChange.objects.bulk_create(changes)
            ids = [c.membership_id for c in changes]
            for start in range(0, len(ids), CHUNK):
                Membership.objects.filter(pk__in=ids[start:start + CHUNK]).update(
                    branch=to_branch)
        return len(changes)


def members_follow_boundaries(moves: Sequence[WardMove], *, by: Actor,
                              at: dt.datetime | None = None) -> int:
    """Move the members of each ward in ``moves`` with it.

    A ward in another constituency takes its members' constituency along; a
    ward in another branch is a boundary change (``boundary_change_apply``).

    Returns:
        How many memberships changed branch.

    Raises:
        PermissionRefused: ``by`` is neither the system nor national staff.
    """
    _check_may_import(by)
    at = at or timezone.now()
    moved = 0
    with transaction.atomic():
        for move in moves:
            if move.to_constituency is not None:
                Membership.objects.filter(ward=move.ward).update(
                    constituency=move.to_constituency)
            if move.to_branch is not None:
                moved += boundary_change_apply(
                    ward=move.ward, to_branch=move.to_branch,
                    effective_from=move.effective_from or timezone.localdate(at), by=by, at=at)
    return moved


def geo_import_with_members(*, wards: Path | str | None = None,
                            branches: Path | str | None = None,
                            postcodes: Path | str | None = None,
                            effective_from: dt.date | None = None,
                            organisation_name: str | None = None,
                            by: Actor) -> GeoImportReport:
    """``geo_import``, with the members of every moved ward following it in the same
    transaction. ``by`` is recorded on their branch changes.

    This, not ``geo_import`` (which knows places, not people, so cannot ask
    who may), is the one way pages, commands and the demo import places.

    Raises:
        PermissionRefused: ``by`` is neither the system nor national staff.
        GeoImportRefused: a file has errors; nothing is imported.
    """
    _check_may_import(by)
    return geo_import(wards=wards, branches=branches, postcodes=postcodes,
                      effective_from=effective_from, organisation_name=organisation_name,
                      follow=partial(members_follow_boundaries, by=by))
