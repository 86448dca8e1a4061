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


def test_the_site_closes_an_election_whose_period_has_ended(open_election, member, capsys):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    Election.objects.filter(pk=open_election.pk).update(
        ballot_closes_at=timezone.now() - dt.timedelta(minutes=1))

    call_command("close_elections")

    open_election.refresh_from_db()
    assert Election.Status.CLOSED == open_election.status
    assert "Closed leader." in capsys.readouterr().out
    assert "system: close_elections command" == open_election.audit.order_by("number").last().actor


def test_an_election_still_in_its_period_stays_open(open_election, member):
    from rankfile.core.actors import System
    from rankfile.elections.services.setup import elections_close_due

    assert [] == elections_close_due(by=System("test"))


def test_nobody_but_the_site_closes_on_schedule(open_election, returning_officer):
    from rankfile.elections.services.setup import elections_close_due

    with pytest.raises(PermissionRefused):
        elections_close_due(by=returning_officer)
