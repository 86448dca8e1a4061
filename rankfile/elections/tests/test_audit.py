"""The audit log: each step in a hash chain that ``rankfile verify_audit`` checks."""

import json

import pytest
from django.core.management import CommandError, call_command

from rankfile.accounts.models import User
from rankfile.elections.models import AuditEntry, Ballot
from rankfile.elections.services.audit import audit_actor_shown, audit_verify
from rankfile.elections.services.casting import ballot_cast_as_voter
from rankfile.elections.services.count import election_count, election_publish
from rankfile.elections.services.credentials import credentials_send
from rankfile.elections.services.setup import election_close
from rankfile.elections.tests.helpers import ids, open_it


@pytest.fixture
def published(election, returning_officer, member, supporter):
    open_it(election, returning_officer)
    credentials_send(election_id=election.pk)
    ballot_cast_as_voter(election=election, voter=member, ranking=ids(election)[:2])
    election_close(by=returning_officer, election=election)
    return election_publish(by=returning_officer,
                            election=election_count(by=returning_officer, election=election))


def test_it_records_each_step_in_order(published):
    entries = list(published.audit.order_by("number"))

    assert ["roll_frozen", "box_opened", "credentials_issued", "box_closed", "counted",
            "published"] == [e.action for e in entries]
    assert [1, 2, 3, 4, 5, 6] == [e.number for e in entries]
    counted = entries[4].details
    assert published.bulletin_blt_sha256 == counted["input_sha256"]
    assert counted["engine"].startswith("rankfile.counting ")
    officer = User.objects.get(email="returning.officer@example.org")
    assert f"user {officer.pk}" == entries[0].actor
    assert "system: send_credentials" == entries[2].actor


def test_it_keeps_people_by_account_and_shows_their_address_while_it_exists(published):
    # The chain cannot be rewritten, so it holds no address for erasure to leave behind.
    officer = User.objects.get(email="returning.officer@example.org")
    logged = json.dumps([(e.actor, e.details) for e in published.audit.all()])

    assert "@" not in logged
    assert (f"user {officer.pk} (returning.officer@example.org)"
            == audit_actor_shown(f"user {officer.pk}"))
    assert "user 999999 (no longer exists)" == audit_actor_shown("user 999999")
    assert "system: send_credentials" == audit_actor_shown("system: send_credentials")
    assert "ro@example.org" == audit_actor_shown("ro@example.org")  # written before


def test_it_never_records_a_tracker(published):
    logged = json.dumps(list(AuditEntry.objects.values_list("details", flat=True)))

    for tracker in Ballot.objects.values_list("tracker", flat=True):
        assert tracker not in logged


def test_an_intact_chain_verifies(published, capsys):
    call_command("verify_audit", published.slug)

    assert [] == audit_verify(published)
    assert "leader: intact (6 entries)" in capsys.readouterr().out


def test_a_changed_entry_breaks_the_chain(published, capsys):
    AuditEntry.objects.filter(election=published, action="box_closed").update(
        details={"ballots": 2})

    with pytest.raises(CommandError, match="1 audit log broken"):
        call_command("verify_audit")

    assert ["entry 4 (box_closed) was changed"] == audit_verify(published)


def test_a_removed_entry_breaks_the_chain(published):
    AuditEntry.objects.filter(election=published, number=3).delete()

    assert ["entry 3 is missing", "entry 4 does not follow the entry before it"] == \
        audit_verify(published)


def test_it_names_an_unknown_election(db):
    with pytest.raises(CommandError, match="No election 'nope'"):
        call_command("verify_audit", "nope")
