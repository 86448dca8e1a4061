"""A freeze racing claims being lodged: no claim lodged before the freeze is left open
under a frozen roll. Real concurrent transactions on PostgreSQL."""

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from rankfile.accounts.models import User
from rankfile.core.errors import Refusal
from rankfile.elections.models import RollClaim
from rankfile.elections.services.claims import claim_lodge
from rankfile.elections.services.roll import roll_evaluate, roll_freeze, roll_rules_set
from rankfile.elections.tests.helpers import rules_for
from rankfile.membership.tests.race import needs_postgresql

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]
CLAIMANTS = 12


def test_a_freeze_racing_claims_never_freezes_over_an_open_one(area, election,
                                                              returning_officer):
    from rankfile.demo.personas import make_member

    people = [make_member(f"claimant{i}@example.org", "Cla", f"Imant{i}", area.branch)
              for i in range(CLAIMANTS)]
    roll_rules_set(by=returning_officer, election=election,
                   rules=rules_for(categories=["registered_supporter"]))  # members are out
    roll_evaluate(by=returning_officer, election=election)
    start = threading.Barrier(CLAIMANTS + 1)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(work):
        try:
            start.wait(timeout=30)
            outcome: object = work()
        except Refusal as e:
            outcome = e
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    def lodge(person: User) -> Callable[[], object]:
        return lambda: claim_lodge(by=person, election=election, section="member",
                                   grounds="I am a member.")

    works: list[Callable[[], object]] = [lodge(p) for p in people]
    works.insert(CLAIMANTS // 2, lambda: roll_freeze(by=returning_officer, election=election))
    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert CLAIMANTS + 1 == len(outcomes)
    assert CLAIMANTS == RollClaim.objects.count()  # lodging is allowed after a freeze too
    rules = election.rule_sets.get()
    if rules.frozen_at is not None:
        assert not RollClaim.objects.filter(lodged_at__lte=rules.frozen_at).exists()
    else:
        assert any(isinstance(o, Refusal) and o.code == "challenges_open" for o in outcomes)
