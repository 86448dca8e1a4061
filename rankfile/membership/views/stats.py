"""The public live counters page (/stats/); the same figures as GET /api/stats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rankfile.membership.models import Category, Membership
from rankfile.membership.stats import stats_get

# The chart's drawing box, in SVG user units; the SVG scales to the page width.
CHART_WIDTH = 640
CHART_HEIGHT = 200


def _when(iso: str) -> dt.datetime:
    return timezone.localtime(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")))


def _chart(hours: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for sign-ups per hour, worked out here so the page needs no script."""
    peak = max((h["count"] for h in hours), default=0)
    slot = CHART_WIDTH / max(1, len(hours))
    bars = []
    for n, hour in enumerate(hours):
        height = 0 if not peak else round(hour["count"] / peak * (CHART_HEIGHT - 20), 1)
        start = _when(hour["hour"])
        bars.append({
            "x": round(n * slot + slot * 0.1, 1), "width": round(slot * 0.8, 1),
            "y": round(CHART_HEIGHT - height, 1), "height": height,
            "start": start, "count": hour["count"],
        })
    return {"bars": bars, "peak": peak, "width": CHART_WIDTH, "height": CHART_HEIGHT}


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    figures = stats_get()
    names = dict(Category.objects.values_list("kind", "name"))
    statuses = list(Membership.Status.choices)
    rows = [
        {
            "kind": kind, "name": names.get(kind, kind.replace("_", " ").capitalize()),
            "cells": [(status, counts.get(status, 0)) for status, _ in statuses],
            "total": figures["totals"]["by_category"].get(kind, 0),
        }
        for kind, counts in figures["by_category"].items()
    ]
    context = {
        "figures": figures,
        "as_of": _when(figures["as_of"]),
        "statuses": statuses,
        "status_totals": [figures["totals"]["by_status"].get(s, 0) for s, _ in statuses],
        "rows": rows,
        "chart": _chart(figures["signups_per_hour"]),
        "window": figures["window"],
    }
    return render(request, "membership/stats.html", context)
