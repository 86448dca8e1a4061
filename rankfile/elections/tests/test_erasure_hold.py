"""Erasing a person on a roll waits until the election's result is published."""

from rankfile.elections.holds import roll_erasure_holds
from rankfile.elections.services.count import election_count, election_publish
from rankfile.elections.services.setup import election_close
from rankfile.privacy.holds import erasure_holds
from rankfile.privacy.services import person_erase


def test_a_voter_on_an_open_roll_is_held_with_the_election_named(open_election, member, staff):
    assert ["On the electoral roll of “Leadership election”, which can be challenged until "
            "its result is published."] == roll_erasure_holds(member)
    assert roll_erasure_holds(member)[0] in erasure_holds(member)  # registered by the app

    erasure = person_erase(user=member, by=staff, reason="Request by e-mail of 3 March")

    assert "deferred" == erasure.status
    member.refresh_from_db()
    assert member.email  # nothing erased yet


def test_the_hold_ends_when_the_result_is_published(open_election, member, returning_officer):
    election_close(by=returning_officer, election=open_election)
    assert roll_erasure_holds(member)  # closed, not yet published: still challengeable
    election_count(by=returning_officer, election=open_election)
    election_publish(by=returning_officer, election=open_election)

    assert [] == roll_erasure_holds(member)


def test_someone_on_no_roll_is_not_held(open_election, area):
    from rankfile.demo.personas import make_member

    joined_after_the_roll = make_member("new@example.org", "New", "Person", area.branch)

    assert not joined_after_the_roll.roll_entries.exists()
    assert [] == roll_erasure_holds(joined_after_the_roll)
