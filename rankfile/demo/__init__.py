"""The Waltham Forest demo: what ``rankfile load_demo`` loads, step by step.

Each ``Step`` says how to load its part and how to tell, cheaply, that it is
already loaded; ``demo_load`` runs the steps not yet loaded, in order, in one
transaction each, then the ``REFRESH`` steps (which run every time, e.g. to
keep the supporters' window open "now"). A later part of the project adds its
demo data by appending a step here, e.g.::

    STEPS.append(Step("articles", articles.load, articles.is_loaded))

and re-running ``load_demo`` on an already loaded database then loads only
that step.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

SEED = 2016
PASSWORD = "demo-password-2016"


@dataclass
class DemoContext:
    """What every step gets: the moment of loading, how many people, and an output."""

    now: dt.datetime
    people: int
    out: Callable[[str], None]
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))


@dataclass(frozen=True)
class Step:
    name: str
    load: Callable[[DemoContext], None]
    is_loaded: Callable[[], bool]


def _steps() -> tuple[list[Step], list[Step]]:
    from rankfile.demo import (
        articles,
        elections,
        geography,
        logins,
        meetings,
        membership,
        people,
        selections,
        vetting,
    )

    steps = [
        Step("geography", geography.load, geography.is_loaded),
        Step("categories, windows and unions", membership.load, membership.is_loaded),
        Step("people", people.load, people.is_loaded),
        Step("logins", logins.load, logins.is_loaded),
        Step("officers' two-factor", logins.load_two_factor, logins.two_factor_is_loaded),
        Step("articles", articles.load, articles.is_loaded),
        Step("meetings", meetings.load, meetings.is_loaded),
        Step("selections", selections.load, selections.is_loaded),
        # After every step that adds people: it approves all but the applications.
        Step("vetting", vetting.load, vetting.is_loaded),
        Step("elections", elections.load, elections.is_loaded),
        Step("branch committee election", elections.load_branch, elections.branch_is_loaded),
    ]
    refresh = [Step("supporters' window", membership.refresh_window, lambda: False),
               Step("demo voting codes", elections.refresh_credentials, lambda: False),
               Step("meetings' dates", meetings.refresh_dates, lambda: False)]
    return steps, refresh


# Filled on first use so importing this package does not import models.
STEPS: list[Step] = []
REFRESH: list[Step] = []


@dataclass
class DemoReport:
    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def demo_load(*, people: int = 5000, out: Callable[[str], None] = print,
              now: dt.datetime | None = None) -> DemoReport:
    """Load whatever of the demo is not loaded yet, then refresh the moving parts.

    Safe to run again: loaded steps are skipped (a re-run takes well under a
    second of database work).
    """
    if not STEPS:
        steps, refresh = _steps()
        STEPS.extend(steps)
        REFRESH.extend(refresh)
    ctx = DemoContext(now=now or timezone.now(), people=people, out=out)
    report = DemoReport()
    for step in STEPS:
        if step.is_loaded():
            report.skipped.append(step.name)
            continue
        out(f"Loading {step.name}…")
        with transaction.atomic():
            step.load(ctx)
        report.loaded.append(step.name)
    for step in REFRESH:
        with transaction.atomic():
            step.load(ctx)
    return report
