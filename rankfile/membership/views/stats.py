"""The public live counters page (/stats/); the same figures as GET /api/stats."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rankfile.membership.models import Category, Membership
from rankfile.membership.services.status import ENDED
from rankfile.membership.stats import stats_get

# The chart's drawing box, in SVG user units; the SVG stretches to the page width.
CHART_WIDTH = 640
CHART_HEIGHT = 200


def _when(iso: str) -> dt.datetime:
    return timezone.localtime(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")))


def nice_ticks(peak: int, *, most: int = 5) -> list[int]:
    """Round axis values from 0 to at least ``peak``: steps of 1, 2, 2.5 or 5 times a
    power of ten, at most ``most`` steps (0, 25, 50, 75, 100, 125 for a peak of 103)."""
    if peak <= 0:
        return [0, 1]
    raw = peak / most
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(s for m in (1, 2, 2.5, 5, 10)
                if (s := m * magnitude) >= raw and float(s).is_integer())
    step = int(step)
    return list(range(0, math.ceil(peak / step) * step + 1, step))


def _chart(hours: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry and axis values for sign-ups per hour, worked out here so the page
    needs no script. The y axis runs from 0 to the first round value at or above the peak."""
    peak = max((h["count"] for h in hours), default=0)
    ticks = nice_ticks(peak)
    top = ticks[-1]
    slot = CHART_WIDTH / max(1, len(hours))
    bars = []
    for n, hour in enumerate(hours):
        height = round(hour["count"] / top * CHART_HEIGHT, 1)
        bars.append({
            "x": round(n * slot + slot * 0.1, 1), "width": round(slot * 0.8, 1),
            "y": round(CHART_HEIGHT - height, 1), "height": height,
            "start": _when(hour["hour"]), "count": hour["count"],
        })
    return {
        "bars": bars, "peak": peak, "width": CHART_WIDTH, "height": CHART_HEIGHT,
        # Each tick's value, its height in per cent (for the HTML labels) and its y (the SVG line).
        "ticks": [{"value": t, "percent": round(t / top * 100, 2),
                   "y": round(CHART_HEIGHT - t / top * CHART_HEIGHT, 1)} for t in ticks],
        "first": bars[0]["start"] if bars else None,
        "middle": bars[len(bars) // 2]["start"] if len(bars) > 2 else None,
        "last": bars[-1]["start"] if len(bars) > 1 else None,
    }


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    figures = stats_get()
    names = dict(Category.objects.values_list("kind", "name"))
    kinds = list(figures["by_category"])
    by_status = figures["totals"]["by_status"]

    def row(status: str, label: str) -> dict[str, Any]:
        return {"status": status, "label": label, "total": by_status.get(status, 0),
                "cells": [(kind, figures["by_category"][kind].get(status, 0)) for kind in kinds]}

    statuses = list(Membership.Status.choices)
    context = {
        "figures": figures,
        "as_of": _when(figures["as_of"]),
        "columns": [(kind, names.get(kind, kind.replace("_", " ").capitalize()),
                     figures["totals"]["by_category"].get(kind, 0)) for kind in kinds],
        "groups": [
            ("Members and applicants", [row(s, label) for s, label in statuses if s not in ENDED]),
            ("People who have left", [row(s, label) for s, label in statuses if s in ENDED]),
        ],
        "chart": _chart(figures["signups_per_hour"]),
        "window": figures["window"],
    }
    return render(request, "membership/stats.html", context)
