"""Reading local structure: where a postcode is, which branches there are."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from rankfile.branches.models import Body, Postcode, Ward, WardPlacement
from rankfile.branches.postcodes import normalise_postcode
from rankfile.core.errors import NotFound


@dataclass(frozen=True)
class Placement:
    """Where a postcode lies on a day. ``branch`` is None if its ward has no branch then."""

    postcode: str
    ward: Ward
    branch: Body | None
    constituency: Body


def organisation_get() -> Body | None:
    """The organisation: the first top-level organisation body (None before any import)."""
    return Body.objects.filter(kind=Body.Kind.ORGANISATION, parent=None).order_by("pk").first()


def place_postcode(postcode: str, *, on: dt.date | None = None) -> Placement | None:
    """Place ``postcode`` in its ward, branch and constituency on ``on`` (default today).

    Every sign-up calls this, so it costs one indexed query: the wards with
    their branch and constituency on a day are read once and kept in this
    process for ``PLACES_SECONDS`` (a boundary change shows within that time).

    Returns:
        The placement, or None if the postcode is badly shaped or not in our list.
    """
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {WARD_OF_POSTCODE}", [normalised])
        row = cursor.fetchone()
    return place_in_ward(normalised, row[0], on=on)


def place_in_ward(postcode: str, ward_id: int | None, *, on: dt.date | None = None
                  ) -> Placement | None:
    """The placement of the normalised ``postcode``, whose ward (the result of
    ``WARD_OF_POSTCODE``, None for a postcode not in our list) was read by the caller.

    For a caller that reads the ward in a statement of its own with other things
    (a sign-up: one round trip to the database instead of two).
    """
    if ward_id is None:
        return None
    day = on or timezone.localdate()
    place = _wards_on(day).get(ward_id)
    if place is None:  # a ward imported since the wards were read
        _WARDS.pop(day, None)
        place = _wards_on(day)[ward_id]
    ward, branch, constituency = place
    return Placement(postcode=postcode, ward=ward, branch=branch, constituency=constituency)


# A postcode's ward: a scalar subquery with one parameter (the normalised postcode),
# for ``place_in_ward``.
WARD_OF_POSTCODE = f"(SELECT ward_id FROM {Postcode._meta.db_table} WHERE postcode = %s)"
PLACES_SECONDS = 60
_WARDS: dict[dt.date, tuple[float, dict[int, tuple[Ward, Body | None, Body]]]] = {}


def _wards_on(day: dt.date) -> dict[int, tuple[Ward, Body | None, Body]]:
    """Every ward's (ward, branch, constituency) on ``day``, cached in this process."""
    cached = _WARDS.get(day)
    if cached is not None and time.monotonic() - cached[0] < PLACES_SECONDS:
        return cached[1]
    branches = {
        p.ward_id: p.branch
        for p in WardPlacement.objects.on(day).select_related("branch")
    }
    wards = {
        w.pk: (w, branches.get(w.pk), w.constituency)
        for w in Ward.objects.select_related("constituency")
    }
    _WARDS.clear()  # keep one day: the cache must not grow
    _WARDS[day] = (time.monotonic(), wards)
    return wards


def place_postcode_forget() -> None:
    """Drop this process's cached wards (after an import or a boundary change)."""
    _WARDS.clear()


@dataclass
class BranchSummary:
    branch: Body
    constituency: Body | None  # a branch's parent; None only for a branch set up wrongly
    wards: list[Ward] = field(default_factory=list)


def branch_list(*, on: dt.date | None = None, constituency: Body | None = None
                ) -> list[BranchSummary]:
    """Branches (by constituency, then name) with the wards they hold on ``on`` (default today).

    Two queries whatever the number of branches.
    """
    day = on or timezone.localdate()
    branches = Body.objects.filter(kind=Body.Kind.BRANCH).select_related("parent")
    if constituency is not None:
        branches = branches.filter(parent=constituency)
    summaries = {
        b.pk: BranchSummary(branch=b, constituency=b.parent)
        for b in branches.order_by("parent__name", "name")
    }
    placements = (
        WardPlacement.objects.on(day)
        .filter(branch_id__in=summaries)
        .select_related("ward")
        .order_by("ward__name")
    )
    for placement in placements:
        summaries[placement.branch_id].wards.append(placement.ward)
    return list(summaries.values())


def body_get(code: str) -> Body:
    """The body with public code ``code``, its parent fetched too.

    Raises:
        NotFound: there is no body with that code.
    """
    body = Body.objects.select_related("parent").filter(code=code).first()
    if body is None:
        raise NotFound(f"There is no branch or area with the code {code}.", code="unknown_body")
    return body
