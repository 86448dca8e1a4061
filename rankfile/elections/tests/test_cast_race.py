"""One person, one ballot: 50 casts of one code at once store exactly one ballot.

Real concurrent transactions on PostgreSQL (SQLite lets one writer in at a time).
"""

import threading

import pytest
from django.db import connections

from rankfile.core.errors import Refusal
from rankfile.elections.models import Ballot
from rankfile.elections.services.casting import (
    BallotAlreadyCast,
    ballot_cast_as_voter,
    ballot_cast_with_credential,
)
from rankfile.elections.services.roll import current_roll
from rankfile.elections.tests.helpers import code_for, ids
from rankfile.membership.tests.race import needs_postgresql

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]
RACERS = 50


def race(work):
    """Run ``work`` in RACERS threads released together; their results and refusals."""
    start = threading.Barrier(RACERS)
    results: list[object] = []
    lock = threading.Lock()

    def run():
        try:
            start.wait(timeout=30)
            outcome: object = work()
        except Refusal as e:
            outcome = e
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_fifty_casts_of_one_code_store_one_ballot(open_election, member):
    code = code_for(open_election, member)
    first = ids(open_election)[:1]

    results = race(lambda: ballot_cast_with_credential(election=open_election, credential=code,
                                                       ranking=first))

    receipts = [r for r in results if not isinstance(r, Refusal)]
    assert RACERS == len(results)
    assert 1 == len(receipts)
    assert all(isinstance(r, BallotAlreadyCast) for r in results if isinstance(r, Refusal))
    assert [receipts[0].tracker] == list(Ballot.objects.values_list("tracker", flat=True))
    assert current_roll(open_election).get(user=member).voted_on is not None


def test_fifty_casts_by_one_logged_in_voter_store_one_ballot(open_election, member):
    first = ids(open_election)[:1]

    results = race(lambda: ballot_cast_as_voter(election=open_election, voter=member,
                                                ranking=first))

    assert 1 == sum(not isinstance(r, Refusal) for r in results)
    assert 1 == Ballot.objects.count()


def test_closing_leaves_no_ballot_sharing_a_transaction_with_its_voter(open_election,
                                                                        returning_officer,
                                                                        member, supporter):
    """Each cast writes the roll entry and the ballot in one transaction (same xmin on
    PostgreSQL); the close writes the box again so the pairing is gone."""
    from django.db import connection

    from rankfile.elections.services.setup import election_close

    for voter in (member, supporter):
        ballot_cast_as_voter(election=open_election, voter=voter, ranking=ids(open_election)[:1])

    def xmins(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table}")  # noqa: S608 - a fixed name
            return {row[0] for row in cursor.fetchall()}

    assert xmins("elections_ballot") <= xmins("elections_rollentry")  # paired while open
    election_close(by=returning_officer, election=open_election)

    assert 1 == len(xmins("elections_ballot"))
    assert not xmins("elections_ballot") & xmins("elections_rollentry")
    assert 2 == Ballot.objects.count()
