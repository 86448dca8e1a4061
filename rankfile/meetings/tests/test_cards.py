"""Card votes: the secretary's cards, cards cast by holders or tellers, weighted results."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.meetings.models import Attendance, Card, CardVote, Motion, Question
from rankfile.meetings.services.cards import card_add, card_cast, card_remove, parse_weight
from rankfile.meetings.services.door import attendee_check_out
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.votes import (
    hands_record,
    question_close,
    question_put,
    vote_cast,
    votes_cast,
)
from rankfile.meetings.tests.helpers import in_session, members
from rankfile.membership.tests.race import needs_postgresql, race

TEXT = "This conference calls for rent controls in every borough."


def _motion(meeting, a, b):
    return motion_submit(by=a, meeting=meeting, title="Rent", text=TEXT, proposer=a, seconder=b)


def _cards(meeting, chair, people, weights=(12_000, 8_000, 3_000)):
    names = ("GMB", "Unite", "Chingford branch", "Unison")
    return [card_add(by=chair, meeting=meeting, holder=user, casts_for=name, weight=w)
            for user, name, w in zip(people, names, weights, strict=False)]


def test_a_card_vote_adds_up_the_cards_weights_and_records_each_card(area):
    meeting, chair, teller, people = in_session(area, 4)
    gmb, unite, branch = _cards(meeting, chair, people)
    question = question_put(by=chair, motion=_motion(meeting, *people[:2]), method="card")

    card_cast(by=people[0], question=question, card=gmb, choice="against")
    card_cast(by=teller, question=question, card=unite, choice="for")
    card_cast(by=people[2], question=question, card=branch, choice="for")
    live = votes_cast(question)
    closed = question_close(by=chair, question=question).question

    assert 3 == live
    assert (11_000, 12_000, 0, 3, False) == (closed.votes_for, closed.votes_against,
                                             closed.abstentions, closed.cards_cast, closed.carried)
    assert 23_000 == closed.weight_present
    assert "11,000 for, 12,000 against, 0 abstentions (cards' weights), 3 cards cast" == (
        closed.figures)
    assert {("GMB", "against", people[0].pk), ("Unite", "for", teller.pk),
            ("Chingford branch", "for", people[2].pk)} == set(
        CardVote.objects.values_list("card__casts_for", "choice", "entered_by"))
    assert Motion.Status.LOST == Motion.objects.get().status


def test_a_card_cast_twice_is_refused_and_counted_once(area):
    meeting, chair, teller, people = in_session(area, 2)
    (gmb,) = _cards(meeting, chair, people[:1])
    question = question_put(by=chair, motion=_motion(meeting, *people), method="card")
    card_cast(by=people[0], question=question, card=gmb, choice="for")

    for who in (people[0], teller):
        with pytest.raises(Conflict, match="already been cast"):
            card_cast(by=who, question=question, card=gmb, choice="against")

    assert [("for",)] == list(CardVote.objects.values_list("choice"))


def test_a_card_holder_not_checked_in_cannot_cast_even_through_a_teller(area):
    meeting, chair, teller, people = in_session(area, 2)
    (outside,) = members(area, 1, prefix="outside")
    card = card_add(by=chair, meeting=meeting, holder=outside, casts_for="GMB", weight=5)
    left = card_add(by=chair, meeting=meeting, holder=people[1], casts_for="Unite", weight=5)
    attendee_check_out(by=teller, meeting=meeting,
                       attendance_id=Attendance.objects.get(user=people[1]).pk)
    question = question_put(by=chair, motion=_motion(meeting, *people), method="card")

    with pytest.raises(Refusal, match="Check in at the door"):
        card_cast(by=outside, question=question, card=card, choice="for")
    with pytest.raises(Refusal, match="GMB is not checked in"):
        card_cast(by=teller, question=question, card=card, choice="for")
    with pytest.raises(Refusal, match="Check in at the door"):  # they left
        card_cast(by=people[1], question=question, card=left, choice="for")

    assert 0 == CardVote.objects.count()
    assert 0 == question.weight_present


def test_only_the_holder_or_a_teller_casts_a_card_and_only_on_an_open_card_vote(area):
    meeting, chair, teller, people = in_session(area, 3)
    (gmb,) = _cards(meeting, chair, people[:1])
    motion = _motion(meeting, *people[:2])
    question = question_put(by=chair, motion=motion, method="card")

    with pytest.raises(PermissionRefused):
        card_cast(by=people[1], question=question, card=gmb, choice="for")
    with pytest.raises(Refusal):
        card_cast(by=people[0], question=question, card=gmb, choice="maybe")
    with pytest.raises(Refusal, match="not a secret vote"):
        vote_cast(by=people[0], question=question, choice="for")
    with pytest.raises(Conflict, match="not a show of hands"):
        hands_record(by=teller, question=question, votes_for=1, votes_against=0, abstentions=0)
    question_close(by=chair, question=question)
    with pytest.raises(Conflict, match="closed"):
        card_cast(by=people[0], question=question, card=gmb, choice="for")

    assert 0 == CardVote.objects.count()


def test_a_card_of_another_meeting_is_not_found(area):
    meeting, chair, _, people = in_session(area, 2)
    from rankfile.meetings.tests.helpers import chingford_meeting

    other = chingford_meeting(area, by=chair, days=20)
    stranger = card_add(by=chair, meeting=other, holder=people[0], casts_for="GMB", weight=1)
    _cards(meeting, chair, people[:1])
    question = question_put(by=chair, motion=_motion(meeting, *people), method="card")

    with pytest.raises(NotFound):
        card_cast(by=people[0], question=question, card=stranger, choice="for")


def test_a_card_vote_needs_cards(area):
    meeting, chair, _, people = in_session(area, 2)

    with pytest.raises(Conflict, match="Set up the delegates' cards"):
        question_put(by=chair, motion=_motion(meeting, *people), method="card")

    assert 0 == Question.objects.count()


def test_the_cards_are_set_up_by_the_secretary_with_precise_errors(area):
    meeting, chair, teller, people = in_session(area, 2)
    card_add(by=chair, meeting=meeting, holder=people[0], casts_for="GMB", weight=12_000)

    refusals = []
    for holder, casts_for, weight in ((None, "Unite", 1), (people[1], "", 1),
                                      (people[1], "gmb", 1), (people[1], "G\u202eMB", 1),
                                      (people[1], "Unite", 0), (people[1], "Unite", 10_000_001)):
        with pytest.raises(Refusal) as refused:
            card_add(by=chair, meeting=meeting, holder=holder, casts_for=casts_for,
                     weight=weight)
        refusals.append((refused.value.code, refused.value.field))
    with pytest.raises(PermissionRefused):
        card_add(by=teller, meeting=meeting, holder=people[1], casts_for="Unite", weight=1)

    assert [("no_holder", "holder"), ("required", "casts_for"),
            ("duplicate_card", "casts_for"), ("control_characters", "casts_for"),
            ("bad_weight", "weight"), ("bad_weight", "weight")] == refusals
    assert ["GMB"] == list(Card.objects.values_list("casts_for", flat=True))


def test_cards_do_not_change_during_a_card_vote_and_a_cast_card_stays(area):
    meeting, chair, _, people = in_session(area, 2)
    (gmb,) = _cards(meeting, chair, people[:1])
    question = question_put(by=chair, motion=_motion(meeting, *people), method="card")
    card_cast(by=people[0], question=question, card=gmb, choice="for")

    with pytest.raises(Conflict, match="card vote is open"):
        card_add(by=chair, meeting=meeting, holder=people[1], casts_for="Unite", weight=1)
    question_close(by=chair, question=question)
    with pytest.raises(Conflict, match="stays in the record"):
        card_remove(by=chair, card=gmb)
    spare = card_add(by=chair, meeting=meeting, holder=people[1], casts_for="Unite", weight=1)
    card_remove(by=chair, card=spare)

    assert ["GMB"] == list(Card.objects.values_list("casts_for", flat=True))


@pytest.mark.parametrize("typed, weight", [("12,000", 12_000), (" 12 000 ", 12_000), ("7", 7)])
def test_a_weight_is_read_as_people_type_it(typed, weight):
    assert weight == parse_weight(typed)


@pytest.mark.parametrize("typed", ["", "0", "-3", "1.5", "twelve", "٣", "99999999999", "1e6"])
def test_a_weight_that_is_not_a_whole_number_in_range_is_refused(typed):
    with pytest.raises(Refusal) as refused:
        parse_weight(typed)

    assert "weight" == refused.value.field


@given(st.integers(1, 10_000_000), st.sampled_from(["{:,}", "{:d}", "{:_}", " {:,} "]))
def test_every_weight_in_range_reads_back_however_it_is_grouped(weight, shape):
    assert weight == parse_weight(shape.format(weight))


@given(st.integers(10_000_001, 10**12) | st.integers(-(10**6), 0))
def test_every_weight_out_of_range_is_refused(weight):
    with pytest.raises(Refusal):
        parse_weight(f"{weight:,}")


def test_card_tally_counts_weights_from_the_database(area):
    meeting, chair, _, people = in_session(area, 3)
    cards = _cards(meeting, chair, people, weights=(5, 7, 11))
    question = question_put(by=chair, motion=_motion(meeting, *people[:2]), method="card")
    for card, choice in zip(cards, ["for", "abstain", "for"], strict=True):
        card_cast(by=card.holder, question=question, card=card, choice=choice)

    from rankfile.meetings.services.cards import card_tally

    tally = card_tally(question)

    assert (3, {"for": 16, "against": 0, "abstain": 7}) == (tally.cards, tally.weights)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_card_cast_from_the_phone_and_by_a_teller_at_once_counts_once(area):
    meeting, chair, teller, people = in_session(area, 2)
    (gmb,) = _cards(meeting, chair, people[:1])
    question = question_put(by=chair, motion=_motion(meeting, *people), method="card")

    first, second = race(lambda: card_cast(by=people[0], question=question, card=gmb,
                                           choice="for"),
                         lambda: card_cast(by=teller, question=question, card=gmb,
                                           choice="against"))

    assert first.error is None
    assert isinstance(second.error, Conflict)
    assert [("for",)] == list(CardVote.objects.values_list("choice"))
