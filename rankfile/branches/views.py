"""Public pages: the branches and "find your branch" by postcode.

A branch's own page shows its officers and articles too, so it lives in ``front``.
"""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rankfile.branches.models import Body
from rankfile.branches.postcodes import normalise_postcode
from rankfile.branches.selectors import BranchSummary, branch_list, place_postcode


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "branches/index.html", {"constituencies": _by_constituency()})


def _by_constituency() -> list[tuple[Body, list[BranchSummary]]]:
    return [
        (constituency, list(items))
        for constituency, items in groupby(branch_list(), key=lambda s: s.constituency)
    ]


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("postcode", "").strip()
    context: dict[str, object] = {"postcode": raw}
    status = 200
    if raw:
        if normalise_postcode(raw) is None:
            context["error"] = (
                f"‘{raw[:20]}’ is not a full UK postcode. Enter the whole postcode, like E17 4JF."
            )
            status = 400
        else:
            placement = place_postcode(raw)
            if placement is None:
                context["error"] = (
                    f"{normalise_postcode(raw)} is not in our list of postcodes: our branches "
                    "cover only the areas listed below. Check the postcode, or find your "
                    "branch in the list."
                )
                context["constituencies"] = _by_constituency()
                status = 404
            else:
                context["placement"] = placement
    return render(request, "branches/find.html", context, status=status)
