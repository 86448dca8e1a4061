"""Setting up an election: only its returning officer; opening needs a frozen roll."""

import pytest

from rankfile.core.errors import Conflict, PermissionRefused
from rankfile.elections.models import Election
from rankfile.elections.services.setup import (
    candidate_add,
    election_close,
    election_create,
    election_open,
)
from rankfile.elections.tests.helpers import make_election, open_it


def test_it_creates_an_election_in_nominations(area, returning_officer):
    election = make_election(area, returning_officer)

    assert Election.Status.NOMINATIONS == election.status
    assert ["Ann Archer", "Bea Baker", "Cal Cooper"] == [c.name for c in election.candidates.all()]


@pytest.mark.parametrize("who", ["staff", "scrutineer", "member", "secretary"])
def test_it_refuses_anyone_else(area, request, who):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionRefused):
        election_create(by=person, body=area.organisation, slug="x", title="X")
    assert 0 == Election.objects.count()


def test_it_refuses_a_scrutineer_adding_a_candidate(election, scrutineer):
    with pytest.raises(PermissionRefused):
        candidate_add(by=scrutineer, election=election, name="Dee")


def test_it_refuses_to_open_before_the_roll_is_frozen(election, returning_officer):
    with pytest.raises(Conflict, match="Write the eligibility rules"):
        election_open(by=returning_officer, election=election)


def test_it_opens_and_closes(election, returning_officer, member):
    open_it(election, returning_officer)
    assert Election.Status.OPEN == election.status

    election_close(by=returning_officer, election=election)

    assert Election.Status.CLOSED == election.status


def test_a_scrutineer_cannot_close(election, returning_officer, scrutineer, member):
    open_it(election, returning_officer)

    with pytest.raises(PermissionRefused):
        election_close(by=scrutineer, election=election)
    election.refresh_from_db()
    assert Election.Status.OPEN == election.status
