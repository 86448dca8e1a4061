"""Postal ballots: two different people key each paper; a mismatch is held for a third.

A paper keyed alike twice is cast as an online ballot is (roll entry marked
voted, ballot in the box with no link to the voter), and after that nothing
stored links the voter to their ballot.
"""

import json

import pytest
from django.apps import apps
from django.db import models
from hypothesis import given, settings
from hypothesis import strategies as st

from rankfile.core.errors import PermissionRefused
from rankfile.demo.personas import give_role, give_two_factor, make_user
from rankfile.elections.models import AuditEntry, Ballot, Election, PostalKeying
from rankfile.elections.services.casting import BadRanking, BallotAlreadyCast, ElectionNotOpen
from rankfile.elections.services.postal import (
    CAST,
    FIRST,
    HELD,
    KeyedAlready,
    keying_outcome,
    postal_key,
    postal_waiting,
)
from rankfile.elections.services.roll import current_roll
from rankfile.elections.services.setup import election_close
from rankfile.elections.tests.helpers import code_for, ids
from rankfile.membership.models import Membership


@pytest.fixture
def third(area):
    user = make_user("third.keyer@example.org", first_name="Thea", last_name="Third")
    give_role(user, "staff", area.organisation)
    give_two_factor(user)
    return user


def ref(user):
    return Membership.objects.get(user=user).reference


def entry_of(election, user):
    return current_roll(election).get(user=user)


def test_a_paper_keyed_alike_twice_is_cast_and_the_voter_marked(open_election, member,
                                                                 returning_officer, staff):
    a, b, _ = ids(open_election)

    first = postal_key(by=returning_officer, election=open_election, reference=ref(member),
                       ranking=[b, a])
    assert FIRST == first.outcome
    assert 0 == Ballot.objects.count()
    assert entry_of(open_election, member).voted_on is None

    second = postal_key(by=staff, election=open_election, reference=ref(member).lower(),
                        ranking=[b, a])

    assert CAST == second.outcome
    ballot = Ballot.objects.get()
    assert ([b, a], "member") == (ballot.ranking, ballot.section)
    assert entry_of(open_election, member).voted_on is not None
    assert ballot.tracker not in second.message  # the keyer never learns it


def test_a_postal_ballot_keyed_differently_twice_is_held_for_a_third_who_decides(
        open_election, member, returning_officer, staff, third):
    a, b, c = ids(open_election)
    postal_key(by=returning_officer, election=open_election, reference=ref(member),
               ranking=[a, b])

    held = postal_key(by=staff, election=open_election, reference=ref(member),
                      ranking=[a, c])

    assert HELD == held.outcome
    assert 0 == Ballot.objects.count()
    assert entry_of(open_election, member).voted_on is None
    waiting = postal_waiting(by=third, election=open_election)
    assert [(ref(member), HELD)] == [(w.reference, w.outcome) for w in waiting]
    # Neither earlier keyer may decide it.
    for keyer in (returning_officer, staff):
        with pytest.raises(KeyedAlready):
            postal_key(by=keyer, election=open_election, reference=ref(member),
                       ranking=[a, c])

    decided = postal_key(by=third, election=open_election, reference=ref(member),
                         ranking=[a, c, b])

    assert CAST == decided.outcome
    assert [a, c, b] == Ballot.objects.get().ranking
    assert not PostalKeying.objects.exists()
    assert [] == postal_waiting(by=third, election=open_election)


def test_the_same_person_cannot_key_a_paper_twice(open_election, member, returning_officer):
    a, *_ = ids(open_election)
    postal_key(by=returning_officer, election=open_election, reference=ref(member),
               ranking=[a])

    with pytest.raises(KeyedAlready, match="a different person keys it"):
        postal_key(by=returning_officer, election=open_election, reference=ref(member),
                   ranking=[a])

    assert 0 == Ballot.objects.count()
    assert 1 == PostalKeying.objects.count()


def test_a_voter_who_voted_online_is_refused_and_their_keyings_go(
        open_election, member, returning_officer, staff):
    from rankfile.elections.services.casting import ballot_cast_with_credential

    a, *_ = ids(open_election)
    postal_key(by=returning_officer, election=open_election, reference=ref(member),
               ranking=[a])
    ballot_cast_with_credential(election=open_election,
                                credential=code_for(open_election, member), ranking=[a])

    with pytest.raises(BallotAlreadyCast, match="has voted already"):
        postal_key(by=staff, election=open_election, reference=ref(member), ranking=[a])

    assert 1 == Ballot.objects.count()
    assert not PostalKeying.objects.exists()


def test_it_is_refused_when_the_election_is_not_open(election, member, returning_officer):
    with pytest.raises(ElectionNotOpen):
        postal_key(by=returning_officer, election=election, reference=ref(member),
                   ranking=[ids(election)[0]])

    assert not PostalKeying.objects.exists()


def test_it_is_refused_to_someone_not_keying_for_the_body(open_election, member, scrutineer):
    with pytest.raises(PermissionRefused):
        postal_key(by=scrutineer, election=open_election, reference=ref(member),
                   ranking=[ids(open_election)[0]])
    with pytest.raises(PermissionRefused):
        postal_waiting(by=member, election=open_election)


@pytest.mark.parametrize(("reference", "message"), [
    ("", "Enter the membership reference"),
    ("RF-NOSUCH00", "Nobody with the membership reference RF-NOSUCH00"),
])
def test_it_explains_a_reference_it_cannot_find(open_election, returning_officer, reference,
                                                message):
    with pytest.raises(Exception, match=message):
        postal_key(by=returning_officer, election=open_election, reference=reference,
                   ranking=[ids(open_election)[0]])


def test_a_bad_ranking_is_refused_and_nothing_kept(open_election, member, returning_officer):
    a, *_ = ids(open_election)
    with pytest.raises(BadRanking):
        postal_key(by=returning_officer, election=open_election, reference=ref(member),
                   ranking=[a, a])

    assert not PostalKeying.objects.exists()


def test_closing_the_box_deletes_papers_never_cast(open_election, member, returning_officer):
    postal_key(by=returning_officer, election=open_election, reference=ref(member),
               ranking=[ids(open_election)[0]])

    election_close(by=returning_officer, election=open_election)

    assert not PostalKeying.objects.exists()
    closed = AuditEntry.objects.get(election=open_election, action="box_closed")
    assert 1 == closed.details["postal_keyings_discarded"]


def _stored_rows():
    """Every row of every table, as text (the whole database a thief would get)."""
    for model in apps.get_models():
        for row in model._base_manager.values():
            yield model._meta.label, json.dumps(row, default=str)


def test_after_casting_nothing_stored_links_the_voter_to_the_ballot(
        open_election, member, supporter, returning_officer, staff):
    a, b, c = ids(open_election)
    for voter, ranking in ((member, [c, a]), (supporter, [b])):
        postal_key(by=returning_officer, election=open_election, reference=ref(voter),
                   ranking=ranking)
        postal_key(by=staff, election=open_election, reference=ref(voter), ranking=ranking)

    assert 2 == Ballot.objects.count()
    assert not PostalKeying.objects.exists()
    voters = {member.pk, supporter.pk}
    entries = {e.pk for e in current_roll(open_election).filter(user__in=voters)}
    references = {ref(member), ref(supporter)}
    for ballot in Ballot.objects.all():
        for label, row in _stored_rows():
            if label == "elections.Ballot":
                continue
            assert ballot.tracker not in row, f"{label} holds a tracker: {row}"
    # The audit records who keyed, never whose paper or what it said.
    for entry in AuditEntry.objects.filter(action="postal_ballot_cast"):
        text = json.dumps(entry.details)
        assert not any(r in text for r in references)
        assert set(entry.details) == {"keyed_by", "decided_by_third"}
    # No model other than the roll holds a roll entry, a membership or a person with a
    # ranking: the only one that could (the keyings) is empty.
    holders = [m._meta.label for m in apps.get_models()
               if any(isinstance(f, models.JSONField) and f.name == "ranking"
                      for f in m._meta.concrete_fields)]
    assert {"elections.Ballot", "elections.PostalKeying"} == set(holders)
    assert not PostalKeying.objects.filter(entry__in=entries).exists()
    assert Election.objects.get(pk=open_election.pk).status == "open"


rankings = st.lists(st.integers(1, 4), min_size=1, max_size=4, unique=True)


@settings(max_examples=200)
@given(first=rankings, second=rankings, third=rankings)
def test_a_paper_is_cast_exactly_when_two_keyings_agree_or_a_third_decides(first, second,
                                                                         third):
    assert FIRST == keying_outcome([], first)
    two = keying_outcome([first], second)
    assert (CAST if first == second else HELD) == two
    if two == HELD:
        assert CAST == keying_outcome([first, second], third)


def _paper(election, reference, *ranks):
    return {"reference": reference,
            **{f"c{pk}": "" if r is None else str(r) for pk, r in zip(ids(election), ranks,
                                                                     strict=True)}}


def test_the_page_keys_a_paper_and_says_what_happened(client, open_election, member,
                                                      returning_officer):
    client.force_login(returning_officer)
    url = f"/elections/{open_election.slug}/manage/postal/"
    assert 200 == client.get(url).status_code

    done = client.post(url, _paper(open_election, ref(member), 1, 2, None), follow=True)

    assert "keyed once" in done.content.decode()
    assert ref(member) in done.content.decode()  # waiting for a second person
    assert 1 == PostalKeying.objects.count()


@pytest.mark.parametrize(("reference", "ranks", "message"), [
    ("", (1, None, None), "Enter the membership reference printed on the paper."),
    ("RF-NOSUCH00", (1, None, None), "Nobody with the membership reference RF-NOSUCH00"),
    ("RF-\u202eNOSUCH", (1, None, None), "changes the direction of the text"),
    ("{member}", (1, 1, None), "two candidates have the same number"),
    ("{member}", (None, None, None), "Rank at least one candidate"),
])
def test_the_page_explains_a_paper_it_cannot_take_and_keeps_nothing(
        client, open_election, member, returning_officer, reference, ranks, message):
    client.force_login(returning_officer)

    response = client.post(f"/elections/{open_election.slug}/manage/postal/",
                           _paper(open_election, reference.format(member=ref(member)), *ranks))

    assert 400 == response.status_code
    assert message in response.content.decode()
    assert not PostalKeying.objects.exists()


def test_the_page_is_refused_to_a_scrutineer_and_says_when_the_box_is_closed(
        client, election, scrutineer, returning_officer):
    client.force_login(scrutineer)
    assert 403 == client.get(f"/elections/{election.slug}/manage/postal/").status_code
    client.force_login(returning_officer)

    page = client.get(f"/elections/{election.slug}/manage/postal/").content.decode()

    assert "keyed only while it is open" in page and "Key this paper" not in page
