"""POST /api/elections/{slug}/ballots: a voting code casts one ballot, answers a tracker."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from rankfile.elections.models import Ballot, Credential, Election
from rankfile.elections.services.roll import current_roll
from rankfile.elections.services.setup import candidate_withdraw, election_close
from rankfile.elections.tests.helpers import code_for, ids


def cast(client, election, credential, ranking, **extra):
    return client.post(f"/api/elections/{election.slug}/ballots",
                       json.dumps({"credential": credential, "ranking": ranking}),
                       content_type="application/json", **extra)


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF, as a browser's would be checked."""
    return Client(enforce_csrf_checks=True)


def test_it_casts_a_ballot_and_answers_its_tracker(csrf_client, open_election, member):
    code = code_for(open_election, member)
    first, second, third = ids(open_election)

    response = cast(csrf_client, open_election, code, [second, first])

    assert 201 == response.status_code, response.content
    tracker = response.json()["tracker"]
    ballot = Ballot.objects.get()
    assert (tracker, "member", [second, first]) == (ballot.tracker, ballot.section,
                                                   ballot.ranking)
    assert timezone.localdate() == current_roll(open_election).get(user=member).voted_on


@pytest.mark.parametrize("credential", ["", "not a code", "A" * 19, "A" * 65, "AAAAA\x00" * 4,
                                        "\u202eAAAAA-AAAAA-AAAAA-AAAAA"])
def test_a_malformed_code_answers_400(client, open_election, credential):
    response = cast(client, open_election, credential, ids(open_election)[:1])

    assert 400 == response.status_code
    # A NUL is refused at the door (core.middleware), before the API reads the code.
    expected = "unreadable" if "\x00" in credential else "malformed_credential"
    assert expected == response.json()["error"]["code"]
    assert 0 == Ballot.objects.count()


def test_an_unknown_code_answers_403(client, open_election, member):
    response = cast(client, open_election, "AAAAA-AAAAA-AAAAA-AAAAA", ids(open_election)[:1])

    assert 403 == response.status_code
    assert "unknown_credential" == response.json()["error"]["code"]


def test_a_revoked_code_answers_403(client, open_election, member):
    old = code_for(open_election, member)
    code_for(open_election, member)  # reissued: the old one stops

    response = cast(client, open_election, old, ids(open_election)[:1])

    assert 403 == response.status_code
    assert 0 == Ballot.objects.count()


def test_a_used_code_answers_409(client, open_election, member):
    code = code_for(open_election, member)
    assert 201 == cast(client, open_election, code, ids(open_election)[:1]).status_code

    response = cast(client, open_election, code, ids(open_election)[1:2])

    assert 409 == response.status_code
    assert "already_voted" == response.json()["error"]["code"]
    assert 1 == Ballot.objects.count()


def test_a_code_of_another_election_answers_403(client, area, open_election, returning_officer,
                                                member):
    from rankfile.elections.tests.helpers import make_election, open_it

    other = open_it(make_election(area, returning_officer, slug="deputy"), returning_officer)
    code = code_for(other, member)

    response = cast(client, open_election, code, ids(open_election)[:1])

    assert 403 == response.status_code


def test_voting_before_opening_or_after_closing_answers_409(client, election, open_election,
                                                           returning_officer, member):
    code = code_for(open_election, member)
    election_close(by=returning_officer, election=open_election)

    response = cast(client, open_election, code, ids(open_election)[:1])

    assert 409 == response.status_code
    assert "election_not_open" == response.json()["error"]["code"]
    assert current_roll(open_election).get(user=member).voted_on is None


def test_voting_before_the_ballot_period_answers_409(client, open_election, member):
    code = code_for(open_election, member)
    Election.objects.filter(pk=open_election.pk).update(
        ballot_opens_at=timezone.now() + dt.timedelta(days=1))

    response = cast(client, open_election, code, ids(open_election)[:1])

    assert "election_not_open" == response.json()["error"]["code"]


@pytest.mark.parametrize("bad", ["repeat", "unknown", "withdrawn", "empty", "strings",
                                 "too_long"])
def test_a_bad_ranking_answers_422_and_keeps_the_code(client, open_election, returning_officer,
                                                     member, bad):
    code = code_for(open_election, member)
    a, b, c = ids(open_election)
    ranking = {"repeat": [a, b, a], "unknown": [a, 999999], "withdrawn": [c, a], "empty": [],
               "strings": ["Ann"], "too_long": [a, b, c, a]}[bad]
    if bad == "withdrawn":
        candidate_withdraw(by=returning_officer, candidate=open_election.candidates.get(pk=c))

    response = cast(client, open_election, code, ranking)

    assert 422 == response.status_code
    assert response.json()["error"]["code"] in ("bad_ranking", "invalid")
    assert 0 == Ballot.objects.count()
    assert 201 == cast(client, open_election, code, [a]).status_code


@pytest.mark.parametrize("body", [b"", b"[]", b"{", b'{"credential": "\x00"}', b"\xff\xfe",
                                  b'{"credential": "' + b"A" * 2_000_000 + b'"}'])
def test_hostile_bodies_answer_4xx_and_change_nothing(client, open_election, body):
    response = client.post(f"/api/elections/{open_election.slug}/ballots", body,
                           content_type="application/json")

    assert 400 <= response.status_code < 500
    assert 0 == Ballot.objects.count()


def test_an_unknown_election_answers_404(client, open_election):
    response = cast(client, type("E", (), {"slug": "nope"}), "AAAAA-AAAAA-AAAAA-AAAAA", [1])

    assert 404 == response.status_code


def test_the_list_shows_each_election_with_its_candidates(client, open_election):
    response = client.get("/api/elections")

    assert 200 == response.status_code
    [listed] = response.json()
    assert {"slug": "leader", "title": "Leadership election", "status": "open",
            "method": "irv", "seats": 1} == {k: listed[k] for k in
                                             ("slug", "title", "status", "method", "seats")}
    assert [{"id": i, "name": n} for i, n in zip(ids(open_election),
                                                 ["Ann Archer", "Bea Baker", "Cal Cooper"],
                                                 strict=True)] == listed["candidates"]


def test_the_openapi_document_describes_the_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert {"400", "403", "409", "422", "201"} <= set(
        paths["/api/elections/{slug}/ballots"]["post"]["responses"])
    assert "/api/elections" in paths
    assert "/api/elections/{slug}/bulletin.blt" in paths


def test_no_credential_or_ballot_is_left_by_a_refusal(client, open_election, member):
    code_for(open_election, member)

    cast(client, open_election, "AAAAA-AAAAA-AAAAA-AAAAA", ids(open_election)[:1])

    assert 1 == Credential.objects.count()
    assert 0 == Ballot.objects.count()


def test_a_ranking_of_booleans_is_refused(client, open_election, member):
    code = code_for(open_election, member)

    response = cast(client, open_election, code, [True])

    assert 422 == response.status_code
    assert 0 == Ballot.objects.count()


def test_a_code_of_an_earlier_version_of_the_roll_answers_403(client, election,
                                                              returning_officer, member):
    from rankfile.elections.services.roll import roll_evaluate, roll_freeze, roll_rules_set
    from rankfile.elections.services.setup import election_open
    from rankfile.elections.tests.helpers import rules_for

    roll_rules_set(by=returning_officer, election=election, rules=rules_for())
    roll_evaluate(by=returning_officer, election=election)
    roll_freeze(by=returning_officer, election=election)
    old = code_for(election, member)
    roll_rules_set(by=returning_officer, election=election, rules=rules_for(min_age=18))
    roll_evaluate(by=returning_officer, election=election)
    roll_freeze(by=returning_officer, election=election)
    election_open(by=returning_officer, election=election)

    response = cast(client, election, old, ids(election)[:1])

    assert 403 == response.status_code
    assert 201 == cast(client, election, code_for(election, member), ids(election)[:1]).status_code
