"""Secretaries linking at once: each body decides once, and the rules are applied once,
to every decision. Real concurrent transactions on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from rankfile.core.errors import Refusal
from rankfile.membership.tests.race import needs_postgresql
from rankfile.selections.models import Decision, Selection
from rankfile.selections.services.trigger import decision_link
from rankfile.selections.tests.helpers import decided, make_affiliate, officer, start_trigger

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]
RACERS = 12


def test_the_last_decisions_linked_at_once_are_each_counted_once(area):
    affiliate = make_affiliate(area)
    con_secretary = officer("con.secretary@example.org", "secretary", area.constituency)
    chn = officer("chn.secretary@example.org", "secretary", area.branch)
    hph = officer("hph.secretary@example.org", "secretary", area.other_branch)
    aff = officer("aff.secretary@example.org", "secretary", affiliate)
    selection = start_trigger(area, con_secretary)
    decision_link(by=chn, selection=selection, body=area.branch,
                  question=decided(area.branch, area, carried=False))
    work = [(hph, area.other_branch, decided(area.other_branch, area, carried=True)),
            (aff, affiliate, decided(affiliate, area, carried=True))]
    start = threading.Barrier(RACERS)
    results: list[object] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        by, body, question = work[n % 2]
        try:
            start.wait(timeout=30)
            outcome: object = decision_link(by=by, selection=Selection.objects.get(
                pk=selection.pk), body=body, question=question)
        except Refusal as e:
            outcome = e
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    linked = [r for r in results if isinstance(r, Decision)]
    assert RACERS == len(results)
    assert 2 == len(linked)
    assert 3 == Decision.objects.filter(selection=selection).count()
    selection.refresh_from_db()
    assert (Selection.Outcome.OPEN, 1, 2, 1, 1) == (
        selection.outcome, selection.branches_yes, selection.branches_total,
        selection.affiliates_yes, selection.affiliates_total)
