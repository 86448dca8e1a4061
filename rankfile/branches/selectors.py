"""Reading local structure: where a postcode is, which branches there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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


def place_postcode(postcode: str, *, on: dt.date | None = None) -> Placement | None:
    """Place ``postcode`` in its ward, branch and constituency on ``on`` (default today).

    Returns:
        The placement, or None if the postcode is badly shaped or not in our list.
    """
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    found = (
        Postcode.objects.select_related("ward__constituency").filter(postcode=normalised).first()
    )
    if found is None:
        return None
    day = on or timezone.localdate()
    placement = (
        WardPlacement.objects.on(day).filter(ward_id=found.ward_id).select_related("branch").first()
    )
    return Placement(
        postcode=normalised,
        ward=found.ward,
        branch=placement.branch if placement else None,
        constituency=found.ward.constituency,
    )


@dataclass
class BranchSummary:
    branch: Body
    constituency: Body
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
