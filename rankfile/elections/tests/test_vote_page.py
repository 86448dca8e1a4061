"""The ballot page: number the candidates, review, confirm, see the tracker."""

import re

import pytest

from rankfile.elections.models import Ballot
from rankfile.elections.services.setup import election_close
from rankfile.elections.tests.helpers import code_for, ids


def numbers(election, *ranks):
    return {f"c{pk}": "" if r is None else str(r) for pk, r in zip(ids(election), ranks,
                                                                   strict=True)}


def test_a_logged_in_voter_reviews_then_casts(client, open_election, member):
    client.force_login(member)
    url = f"/elections/{open_election.slug}/vote/"
    form = client.get(url)
    assert 200 == form.status_code
    assert 'name="credential"' not in form.content.decode()

    review = client.post(url, {"step": "review", **numbers(open_election, 2, 1, None)})
    assert 200 == review.status_code
    assert re.search(r"<li>Bea Baker</li><li>Ann Archer</li>", review.content.decode())
    assert 0 == Ballot.objects.count()

    done = client.post(url, {"step": "confirm", **numbers(open_election, 2, 1, None)})

    assert 200 == done.status_code
    ballot = Ballot.objects.get()
    assert ballot.tracker in done.content.decode()
    assert [ids(open_election)[1], ids(open_election)[0]] == ballot.ranking
    # The tracker is kept nowhere with the voter: not in their session.
    session = client.session.load()
    assert ballot.tracker not in repr(session)


def test_a_visitor_votes_with_a_code(client, open_election, member):
    code = code_for(open_election, member)
    url = f"/elections/{open_election.slug}/vote/"
    assert 'name="credential"' in client.get(url).content.decode()

    done = client.post(url, {"step": "confirm", "credential": code,
                             **numbers(open_election, 1, None, None)})

    assert 200 == done.status_code
    assert Ballot.objects.get().tracker in done.content.decode()


@pytest.mark.parametrize(("ranks", "message"), [
    ((1, 3, None), "there is no 2"),
    ((1, 1, None), "two candidates have the same number"),
    ((None, None, None), "Rank at least one candidate"),
    ((1, 9, None), "Write 1 to 3 beside Bea Baker"),
])
def test_it_explains_a_ballot_it_cannot_take(client, open_election, member, ranks, message):
    client.force_login(member)

    response = client.post(f"/elections/{open_election.slug}/vote/",
                           {"step": "confirm", **numbers(open_election, *ranks)})

    assert 400 == response.status_code
    assert message in response.content.decode()
    assert 0 == Ballot.objects.count()


def test_a_second_ballot_is_refused(client, open_election, member):
    client.force_login(member)
    url = f"/elections/{open_election.slug}/vote/"
    client.post(url, {"step": "confirm", **numbers(open_election, 1, None, None)})

    response = client.post(url, {"step": "confirm", **numbers(open_election, None, 1, None)})

    assert 1 == Ballot.objects.count()
    assert "You have voted in this election already" in response.content.decode()


def test_a_closed_election_takes_no_ballot(client, open_election, returning_officer, member):
    election_close(by=returning_officer, election=open_election)
    client.force_login(member)

    response = client.post(f"/elections/{open_election.slug}/vote/",
                           {"step": "confirm", **numbers(open_election, 1, None, None)})

    assert 409 == response.status_code
    assert 0 == Ballot.objects.count()
