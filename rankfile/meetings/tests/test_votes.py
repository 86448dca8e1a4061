"""Questions put to the meeting: hands, secret votes, majorities, emergency and amendments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.models import (
    Amendment,
    Majority,
    MeetingRules,
    Motion,
    Question,
    SecretVote,
    VoteMark,
)
from rankfile.meetings.services.door import attendee_check_out
from rankfile.meetings.services.motions import amendment_submit, motion_submit
from rankfile.meetings.services.votes import (
    hands_record,
    is_carried,
    question_close,
    question_put,
    vote_cast,
    votes_cast,
)
from rankfile.meetings.tests.helpers import in_session, members
from rankfile.membership.tests.race import needs_postgresql, race

TEXT = "This branch calls for rent controls in every borough."


def _motion(meeting, a, b, **extra):
    return motion_submit(by=a, meeting=meeting, title="Rent", text=TEXT, proposer=a, seconder=b,
                         **extra)


def test_a_secret_vote_counts_each_present_voter_once_and_links_no_vote(area):
    meeting, chair, _, people = in_session(area, 4)
    motion = _motion(meeting, *people[:2])
    question = question_put(by=chair, motion=motion, method="secret")

    for user, choice in zip(people, ["for", "for", "against", "abstain"], strict=True):
        vote_cast(by=user, question=question, choice=choice)
    with pytest.raises(Conflict):
        vote_cast(by=people[0], question=question, choice="against")
    live = votes_cast(question)
    closed = question_close(by=chair, question=question).question
    with pytest.raises(Conflict):
        vote_cast(by=people[1], question=question, choice="for")

    assert 4 == live
    assert (2, 1, 1, True) == (closed.votes_for, closed.votes_against, closed.abstentions,
                               closed.carried)
    assert (4, 5) == (closed.voting_present, closed.quorum)
    assert 4 == SecretVote.objects.count() == VoteMark.objects.count()
    assert "user" not in {f.name for f in SecretVote._meta.get_fields()}
    motion.refresh_from_db()
    assert Motion.Status.CARRIED == motion.status


def test_only_checked_in_voting_members_still_present_vote(area):
    meeting, chair, teller, people = in_session(area, 2)
    (absent,) = members(area, 1, prefix="absent")
    motion = _motion(meeting, *people)
    question = question_put(by=chair, motion=motion, method="secret")
    from rankfile.meetings.models import Attendance
    gone = Attendance.objects.get(meeting=meeting, user=people[1])
    attendee_check_out(by=teller, meeting=meeting, attendance_id=gone.pk)

    for who in (absent, people[1], chair):
        with pytest.raises(PermissionRefused):
            vote_cast(by=who, question=question, choice="for")
    with pytest.raises(Refusal):
        vote_cast(by=people[0], question=question, choice="maybe")

    assert 0 == SecretVote.objects.count() == VoteMark.objects.count()


def test_tellers_counts_above_those_present_are_warned(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    question = question_put(by=chair, motion=motion, method="hands")

    closed = hands_record(by=teller, question=question, votes_for=3, votes_against=1,
                          abstentions=0)

    assert "more than the 3 voting members present" in closed.warning
    assert closed.question.carried
    with pytest.raises(Conflict):
        hands_record(by=teller, question=question, votes_for=1, votes_against=0, abstentions=0)


def test_the_chair_admits_an_emergency_motion_and_an_amendment_carries_first(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.AWAITING_ADMISSION,
                                               is_emergency=True)
    motion.refresh_from_db()
    amendment = amendment_submit(by=people[2], motion=motion, kind="replace",
                                 target="every borough", new_text="London",
                                 proposer=people[2], seconder=people[0])

    admit = question_put(by=chair, motion=motion, method="hands")
    hands_record(by=teller, question=admit, votes_for=2, votes_against=1, abstentions=0)
    with pytest.raises(Conflict):  # amendments first
        question_put(by=chair, motion=motion, method="secret")
    amend = question_put(by=chair, motion=motion, amendment=amendment, method="hands")
    hands_record(by=teller, question=amend, votes_for=2, votes_against=0, abstentions=1)
    final = question_put(by=chair, motion=motion, method="secret")

    assert Question.Kind.ADMIT_EMERGENCY == admit.kind
    assert "This branch calls for rent controls in London." == final.text
    amendment.refresh_from_db()
    assert Amendment.Status.CARRIED == amendment.status
    assert 2 == motion.versions.count()


def test_an_emergency_motion_refused_is_not_taken(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.AWAITING_ADMISSION)
    admit = question_put(by=chair, motion=motion, method="hands")

    hands_record(by=teller, question=admit, votes_for=1, votes_against=2, abstentions=0)

    motion.refresh_from_db()
    assert Motion.Status.NOT_TAKEN == motion.status
    with pytest.raises(Conflict):
        question_put(by=chair, motion=motion, method="hands")


def test_the_body_rules_majority_is_applied(area):
    MeetingRules.objects.create(body=area.branch, majority=Majority.TWO_THIRDS)
    meeting, chair, teller, people = in_session(area, 3)
    question = question_put(by=chair, motion=_motion(meeting, *people[:2]), method="hands")

    closed = hands_record(by=teller, question=question, votes_for=3, votes_against=2,
                          abstentions=0)

    assert Majority.TWO_THIRDS == closed.question.majority
    assert closed.question.carried is False


def test_a_teller_or_member_may_not_put_questions(area):
    meeting, chair, teller, people = in_session(area, 2)
    motion = _motion(meeting, *people)
    for who in (teller, people[0]):
        with pytest.raises(PermissionRefused):
            question_put(by=who, motion=motion, method="hands")


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 400))
def test_majorities_follow_their_definitions(votes_for, against, present):
    simple = is_carried(majority="simple", votes_for=votes_for, votes_against=against,
                        voting_present=present)
    two_thirds = is_carried(majority="two_thirds", votes_for=votes_for, votes_against=against,
                            voting_present=present)
    absolute = is_carried(majority="absolute", votes_for=votes_for, votes_against=against,
                          voting_present=present)

    assert simple == (votes_for > against)
    assert two_thirds == (votes_for > 0 and 3 * votes_for >= 2 * (votes_for + against))
    assert absolute == (2 * votes_for > present)
    assert not two_thirds or simple or votes_for == against == 0


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_member_voting_from_two_phones_at_once_is_counted_once(area):
    meeting, chair, _, people = in_session(area, 2)
    question = question_put(by=chair, motion=_motion(meeting, *people), method="secret")

    first, second = race(lambda: vote_cast(by=people[0], question=question, choice="for"),
                         lambda: vote_cast(by=people[0], question=question, choice="against"))

    assert first.error is None
    assert isinstance(second.error, Conflict)
    assert [("for",)] == list(SecretVote.objects.values_list("choice"))


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_vote_arriving_while_the_chair_closes_is_refused_not_lost(area):
    meeting, chair, _, people = in_session(area, 2)
    question = question_put(by=chair, motion=_motion(meeting, *people), method="secret")

    closing, late = race(lambda: question_close(by=chair, question=question),
                         lambda: vote_cast(by=people[1], question=question, choice="for"))

    assert closing.error is None
    assert isinstance(late.error, Conflict)
    question.refresh_from_db()
    assert (0, 0) == (question.votes_for, SecretVote.objects.count())
