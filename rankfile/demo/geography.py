"""The demo's local structure: Waltham Forest, from the files shipped in branches/data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from rankfile.branches.models import Body, Postcode
from rankfile.core.actors import System
from rankfile.membership.services.boundaries import geo_import_with_members

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

DATA = Path(__file__).resolve().parents[1] / "branches" / "data" / "waltham_forest"
ORGANISATION_NAME = "Rank & File Demo Party"
# The Waltham Forest ward boundaries in the files were in use from May 2002.
WARDS_SINCE = dt.date(2002, 5, 2)
LAST_BRANCH = "WF-WAS"


def is_loaded() -> bool:
    return (
        Body.objects.filter(code=LAST_BRANCH).exists()
        and Postcode.objects.filter(ward__lad_code="E09000031").count() >= 3704
    )


def load(ctx: DemoContext) -> None:
    has_organisation = Body.objects.filter(kind=Body.Kind.ORGANISATION).exists()
    report = geo_import_with_members(
        wards=DATA / "wards.csv", branches=DATA / "branches.csv",
        postcodes=DATA / "postcodes.csv", effective_from=WARDS_SINCE,
        # Never rename an organisation that is already there.
        organisation_name=None if has_organisation else ORGANISATION_NAME,
        by=System("load_demo"),
    )
    for line in report.lines():
        ctx.out(f"  {line}")
