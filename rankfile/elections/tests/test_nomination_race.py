"""A member nominates at most as many as there are seats, however many requests race.

Real concurrent transactions on PostgreSQL (SQLite lets one writer in at a time).
"""

import threading

import pytest
from django.db import connections

from rankfile.core.errors import Refusal
from rankfile.elections.models import MemberNomination, Nominee
from rankfile.elections.services.nominations import nomination_make
from rankfile.elections.tests.nomination_helpers import make_people, ref
from rankfile.membership.tests.race import needs_postgresql

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]
RACERS = 8


def test_one_member_nominating_eight_people_at_once_nominates_one(chair, area):
    nominator, *others = make_people(area, RACERS + 1)
    references = [ref(p) for p in others]
    start = threading.Barrier(RACERS)
    results: list[object] = []
    lock = threading.Lock()

    def run(reference):
        try:
            start.wait(timeout=30)
            outcome: object = nomination_make(by=nominator, election=chair, reference=reference)
        except Refusal as e:
            outcome = e
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(r,)) for r in references]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    refusals = [r for r in results if isinstance(r, Refusal)]
    assert RACERS == len(results)
    assert {"too_many_nominations"} == {r.code for r in refusals}
    assert (1, 1, RACERS - 1) == (MemberNomination.objects.count(), Nominee.objects.count(),
                                  len(refusals))
