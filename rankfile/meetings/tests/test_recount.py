"""Recounts: a contested result counted again by a second method; the recount stands."""

from __future__ import annotations

import pytest

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.models import Amendment, Motion, Question
from rankfile.meetings.services.cards import card_add, card_cast
from rankfile.meetings.services.minutes import minutes_draft_text
from rankfile.meetings.services.motions import amendment_submit, motion_submit
from rankfile.meetings.services.votes import (
    hands_record,
    question_close,
    question_put,
    question_recount,
    vote_cast,
)
from rankfile.meetings.tests.helpers import in_session

TEXT = "This branch calls for rent controls in every borough."


def _motion(meeting, a, b):
    return motion_submit(by=a, meeting=meeting, title="Rent", text=TEXT, proposer=a, seconder=b)


def test_a_show_of_hands_recounted_by_secret_vote_keeps_both_and_the_recount_stands(area):
    meeting, chair, teller, people = in_session(area, 4)
    motion = _motion(meeting, *people[:2])
    hands = question_put(by=chair, motion=motion, method="hands")
    hands_record(by=teller, question=hands, votes_for=3, votes_against=1, abstentions=0)

    again = question_recount(by=chair, question=hands, method="secret")
    for user, choice in zip(people, ["for", "against", "against", "against"], strict=True):
        vote_cast(by=user, question=again, choice=choice)
    closed = question_close(by=chair, question=again).question
    hands.refresh_from_db()
    minutes = minutes_draft_text(meeting)

    assert (hands.kind, hands.text, hands.majority) == (again.kind, again.text, again.majority)
    assert hands == closed.recount_of
    assert hands.superseded and not closed.superseded
    assert (True, False) == (hands.carried, closed.carried)
    assert Motion.Status.LOST == Motion.objects.get().status
    assert "Show of hands: 3 for, 1 against" in minutes
    assert "Recount of that result, by a second method (secret electronic vote)" in minutes
    assert "Secret electronic vote: 1 for, 3 against" in minutes
    assert "recounted: the recount below stands" in minutes
    assert "The recount's result stands." in minutes


def test_an_amendment_carried_then_lost_on_a_recount_leaves_the_motion_as_it_was(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    amendment = amendment_submit(by=people[2], motion=motion, kind="replace",
                                 target="every borough", new_text="London",
                                 proposer=people[2], seconder=people[0])
    for user, name, weight in zip(people, ("GMB", "Unite", "Branch"), (10, 20, 5), strict=True):
        card_add(by=chair, meeting=meeting, holder=user, casts_for=name, weight=weight)
    first = question_put(by=chair, motion=motion, amendment=amendment, method="hands")
    hands_record(by=teller, question=first, votes_for=2, votes_against=1, abstentions=0)
    motion.refresh_from_db()
    amended = motion.text

    again = question_recount(by=chair, question=first, method="card")
    for card, choice in zip(meeting.cards.order_by("casts_for"), ["for", "for", "against"],
                            strict=True):  # Branch 5, GMB 10 for; Unite 20 against
        card_cast(by=teller, question=again, card=card, choice=choice)
    question_close(by=chair, question=again)
    motion.refresh_from_db()
    amendment.refresh_from_db()
    final = question_put(by=chair, motion=motion, method="hands")

    assert "This branch calls for rent controls in London." == amended
    assert TEXT == motion.text == final.text
    assert Amendment.Status.LOST == amendment.status
    assert [TEXT, amended, TEXT] == list(motion.versions.values_list("text", flat=True))


def test_an_amendment_lost_then_carried_on_a_recount_is_applied(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    amendment = amendment_submit(by=people[2], motion=motion, kind="replace",
                                 target="every borough", new_text="London", proposer=people[2],
                                 seconder=people[0])
    first = question_put(by=chair, motion=motion, amendment=amendment, method="hands")
    hands_record(by=teller, question=first, votes_for=1, votes_against=2, abstentions=0)

    again = question_recount(by=chair, question=first, method="secret")
    for user in people:
        vote_cast(by=user, question=again, choice="for")
    question_close(by=chair, question=again)
    motion.refresh_from_db()

    assert "This branch calls for rent controls in London." == motion.text
    assert 2 == motion.versions.count()


def test_a_refused_emergency_motion_admitted_on_a_recount_is_taken(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.AWAITING_ADMISSION,
                                               is_emergency=True)
    motion.refresh_from_db()
    admit = question_put(by=chair, motion=motion, method="hands")
    hands_record(by=teller, question=admit, votes_for=1, votes_against=2, abstentions=0)

    again = question_recount(by=chair, question=admit, method="secret")
    for user in people:
        vote_cast(by=user, question=again, choice="for")
    question_close(by=chair, question=again)
    motion.refresh_from_db()

    assert Question.Kind.ADMIT_EMERGENCY == again.kind
    assert Motion.Status.SUBMITTED == motion.status


def test_an_open_question_cannot_be_recounted(area):
    meeting, chair, _, people = in_session(area, 2)
    question = question_put(by=chair, motion=_motion(meeting, *people), method="secret")

    with pytest.raises(Conflict) as refused:
        question_recount(by=chair, question=question, method="hands")

    assert "still_open" == refused.value.code
    assert 1 == Question.objects.count()


def test_a_recount_needs_another_method_the_chair_and_no_later_question(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    amendment = amendment_submit(by=people[2], motion=motion, kind="replace",
                                 target="every borough", new_text="London",
                                 proposer=people[2], seconder=people[0])
    first = question_put(by=chair, motion=motion, amendment=amendment, method="hands")
    hands_record(by=teller, question=first, votes_for=2, votes_against=1, abstentions=0)

    codes = []
    for by, method in ((chair, "hands"), (chair, "card"), (chair, "postal")):
        with pytest.raises(Refusal) as refused:
            question_recount(by=by, question=first, method=method)
        codes.append(refused.value.code)
    for who in (teller, people[0]):
        with pytest.raises(PermissionRefused):
            question_recount(by=who, question=first, method="secret")
    again = question_recount(by=chair, question=first, method="secret")
    with pytest.raises(Conflict):  # nothing else is put while the recount is open
        question_put(by=chair, motion=motion, method="hands")
    question_close(by=chair, question=again)
    with pytest.raises(Conflict) as twice:
        question_recount(by=chair, question=first, method="secret")
    question_put(by=chair, motion=motion, method="hands")
    with pytest.raises(Conflict) as late:
        question_recount(by=chair, question=again, method="hands")

    assert ["same_method", "no_cards", "bad_method"] == codes
    assert "already_recounted" == twice.value.code
    assert "moved_on" == late.value.code
    assert 3 == Question.objects.count()
