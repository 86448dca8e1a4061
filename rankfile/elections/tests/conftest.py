"""What the elections' tests need besides the personas (rankfile/demo/personas.py):

- ``returning_officer`` and ``scrutineer`` of the organisation;
- ``election``: the organisation's leadership election, three candidates, in
  nominations, with rules that let the ``member`` persona vote;
- ``open_election``: the same with the roll drawn and frozen, and the box open.
"""

from __future__ import annotations

from typing import Any

import pytest
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


@pytest.fixture
def returning_officer(area):
    from rankfile.demo.personas import make_returning_officer

    return make_returning_officer(area)


@pytest.fixture
def scrutineer(area):
    from rankfile.demo.personas import make_scrutineer

    return make_scrutineer(area)


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


@pytest.fixture
def election(area, returning_officer):
    return make_election(area, returning_officer)


@pytest.fixture
def open_election(election, returning_officer, member, supporter):
    return open_it(election, returning_officer)


def ids(election: Election) -> list[int]:
    return list(election.candidates.order_by("position").values_list("pk", flat=True))
