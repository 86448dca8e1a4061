"""Helpers for the elections' tests (and the permissions matrix's world)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from rankfile.elections.models import Election
from rankfile.elections.services.roll import roll_evaluate, roll_freeze, roll_rules_set
from rankfile.elections.services.setup import candidate_add, election_create, election_open

SECTIONS = ["member", "registered_supporter", "affiliated_supporter"]


def rules_for(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    rules: dict[str, Any] = {
        "categories": SECTIONS,
        "freeze_date": today.isoformat(),
        "arrears_max_days": 90,
        "min_age": 16,
    }
    rules.update(changes)
    return rules


def make_election(area: Any, by: Any, *, slug: str = "leader", names: tuple[str, ...] = (
        "Ann Archer", "Bea Baker", "Cal Cooper")) -> Election:
    election = election_create(by=by, body=area.organisation, slug=slug,
                               title="Leadership election", seats=1, method="irv",
                               sections=SECTIONS)
    for name in names:
        candidate_add(by=by, election=election, name=name)
    return election


def open_it(election: Election, by: Any, **rules: Any) -> Election:
    roll_rules_set(by=by, election=election, rules=rules_for(**rules))
    roll_evaluate(by=by, election=election)
    roll_freeze(by=by, election=election)
    return election_open(by=by, election=election)


def ids(election: Election) -> list[int]:
    return list(election.candidates.order_by("position").values_list("pk", flat=True))


def code_for(election: Election, user: Any) -> str:
    """A fresh voting code for ``user`` on the current roll (as the job makes them)."""
    from django.db import transaction

    from rankfile.elections.services.credentials import credentials_make
    from rankfile.elections.services.roll import current_roll

    with transaction.atomic():
        entry = current_roll(election).get(user=user)
        entry.credentials.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        return credentials_make([entry], election=election)[0][1]
