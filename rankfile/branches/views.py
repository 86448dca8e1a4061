"""Public pages: the branches, one branch, and "find your branch" by postcode."""

from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rankfile.branches.models import Body
from rankfile.branches.postcodes import normalise_postcode
from rankfile.branches.selectors import body_get, branch_list, place_postcode
from rankfile.core.errors import NotFound


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    summaries = branch_list()
    constituencies = [
        (constituency, list(items))
        for constituency, items in groupby(summaries, key=lambda s: s.constituency)
    ]
    return render(request, "branches/index.html", {"constituencies": constituencies})


@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        branch = body_get(code)
    except NotFound as e:
        raise Http404(e.message) from None
    if branch.kind != Body.Kind.BRANCH:
        raise Http404("Not a branch.")
    summary = branch_list(constituency=branch.parent)
    mine = next(s for s in summary if s.branch.pk == branch.pk)
    neighbours = [s.branch for s in summary if s.branch.pk != branch.pk]
    return render(request, "branches/detail.html", {
        "branch": branch, "constituency": branch.parent, "wards": mine.wards,
        "neighbours": neighbours,
    })


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
                    f"{normalise_postcode(raw)} is not in our list of postcodes. Check it, or "
                    "see all branches below."
                )
                status = 404
            else:
                context["placement"] = placement
    return render(request, "branches/find.html", context, status=status)
