"""Putting questions: show of hands, secret electronic votes, card votes, recounts,
majorities, and their effects."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.access import can_chair, can_tell
from rankfile.meetings.models import (
    Amendment,
    Card,
    CardVote,
    Majority,
    Meeting,
    Minutes,
    Motion,
    MotionVersion,
    Question,
    SecretVote,
    VoteMark,
)
from rankfile.meetings.services.calling import rules_of
from rankfile.meetings.services.cards import card_tally, weight_present
from rankfile.meetings.services.door import is_present_voter, meeting_presence
from rankfile.meetings.services.motions import amendment_apply


def is_carried(*, majority: str, votes_for: int, votes_against: int, voting_present: int) -> bool:
    """Whether the figures carry a question under ``majority`` (abstentions never count for).

    Simple: more for than against. Two-thirds: for at least two thirds of the
    votes cast for or against. Absolute: for more than half the voting members present.
    """
    if majority == Majority.TWO_THIRDS:
        return votes_for > 0 and Fraction(votes_for, votes_for + votes_against) >= Fraction(2, 3)
    if majority == Majority.ABSOLUTE:
        return 2 * votes_for > voting_present
    return votes_for > votes_against


def question_put(*, by: Actor, motion: Motion, method: str,
                 amendment: Amendment | None = None) -> Question:
    """The chair puts a question: admitting an emergency motion, an amendment, or the motion.

    Amendments are taken before the motion: the motion's own question waits
    until none is pending. The voting members present and the quorum are
    recorded now.

    Raises:
        PermissionRefused: ``by`` does not chair the meeting.
        Conflict: the meeting is not in session, the question is decided or
            already open, or an amendment is still to be taken.
    """
    meeting = motion.meeting
    if not can_chair(by, meeting):
        raise PermissionRefused("Only the chair puts questions to the meeting.")
    _check_method(meeting, method)
    rules = rules_of(meeting.body)
    with transaction.atomic():
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        if amendment is not None:
            if amendment.motion_id != motion.pk or amendment.status != Amendment.Status.PENDING:
                raise Conflict("This amendment has been decided.", code="decided")
            if motion.status != Motion.Status.SUBMITTED:
                raise Conflict("The motion must be before the meeting (admitted, not yet "
                               "decided) to take its amendments.", code="not_before_meeting")
            kind, text, majority = Question.Kind.AMENDMENT, amendment.describe(), rules.majority
        elif motion.status == Motion.Status.AWAITING_ADMISSION:
            kind, text, majority = (Question.Kind.ADMIT_EMERGENCY,
                                    f"That the meeting takes emergency motion {motion.number}: "
                                    f"{motion.title}.", rules.procedural_majority)
        elif motion.status == Motion.Status.SUBMITTED:
            if motion.amendments.filter(status=Amendment.Status.PENDING).exists():
                raise Conflict("Take the amendments before the motion.", code="amendments_first")
            kind, text, majority = Question.Kind.MOTION, motion.text, rules.majority
        else:
            raise Conflict(f"Motion {motion.number} has been decided.", code="decided")
        if Question.objects.filter(motion=motion, status=Question.Status.OPEN).exists():
            raise Conflict("A vote on this motion is already open: close it first.",
                           code="already_open")
        return _open(meeting, method, kind=kind, motion=motion, amendment=amendment, text=text,
                     majority=majority)


def _check_method(meeting: Meeting, method: str) -> None:
    if method not in Question.Method.values:
        raise Refusal("Choose a show of hands, a secret vote or a card vote.", code="bad_method",
                      field="method")
    if meeting.status != Meeting.Status.OPEN:
        raise Conflict("Open the meeting before putting questions.", code="not_in_session")
    if method == Question.Method.CARD and not Card.objects.filter(meeting=meeting).exists():
        raise Conflict("Set up the delegates' cards before putting a card vote.",
                       code="no_cards")


def _open(meeting: Meeting, method: str, **question: object) -> Question:
    """Open a question, recording the voting members present and quorum (and, for a card
    vote, the weight of the cards in the room) as they are now."""
    presence = meeting_presence(meeting)
    opened = Question.objects.create(
        meeting=meeting, method=method, voting_present=presence.voting, quorum=presence.quorum,
        weight_present=weight_present(meeting) if method == Question.Method.CARD else None,
        opened_at=timezone.now(), **question)
    # The vote pages' poll reads a cache of the open questions: forgotten now, and
    # again once this is committed (a poll in between may have cached the old list).
    _forget_open_questions(meeting.pk)
    transaction.on_commit(lambda: _forget_open_questions(meeting.pk))
    return opened


def question_recount(*, by: Actor, question: Question, method: str) -> Question:
    """The chair recounts a contested result by a second method: a new question, the
    same words, majority and effects, that records which result it recounts.

    Both results stay in the record; the recount's stands (its close undoes the first
    result's effects where they differ). A recount must follow the result at once:
    once the meeting has put another question on the same motion, it is too late.

    Raises:
        PermissionRefused: ``by`` does not chair the meeting.
        Conflict: the question is still open, already recounted, the meeting moved
            on, or the meeting is not in session.
        Refusal: the same method as the result recounted, or an unknown one.
    """
    meeting = question.meeting
    if not can_chair(by, meeting):
        raise PermissionRefused("Only the chair calls a recount.")
    _check_method(meeting, method)
    if method == question.method:
        raise Refusal(f"This result was taken by {question.get_method_display().lower()}: "
                      "recount it by another method.", code="same_method", field="method")
    with transaction.atomic():
        Motion.objects.select_for_update().get(pk=question.motion_id)
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status == Question.Status.OPEN:
            raise Conflict("This question is still being voted on: close it first; only a "
                           "result can be recounted.", code="still_open")
        if Question.objects.filter(recount_of=locked).exists():
            raise Conflict("This result has already been recounted: recount the recount if "
                           "it is contested.", code="already_recounted")
        if Question.objects.filter(motion_id=locked.motion_id, pk__gt=locked.pk).exists():
            raise Conflict("The meeting has moved on from this question: a recount must "
                           "follow the result at once.", code="moved_on")
        return _open(meeting, method, kind=locked.kind, motion=locked.motion,
                     amendment=locked.amendment, text=locked.text, majority=locked.majority,
                     recount_of=locked)


def vote_cast(*, by: Actor, question: Question, choice: str) -> None:
    """Cast one secret vote: a "has voted" mark and an unlinked vote, in one transaction.

    Nothing stored links the vote to ``by``: the vote row has no user and no time.

    Raises:
        PermissionRefused: ``by`` is not a voting member checked in and present.
        Conflict: ``by`` already voted, or the vote is closed.
        Refusal: an unknown choice, or the question is a show of hands.
    """
    if choice not in SecretVote.Choice.values:
        raise Refusal("Choose for, against or abstain.", code="bad_choice", field="choice")
    if question.method != Question.Method.SECRET:
        raise Refusal(f"This question is taken by {question.get_method_display().lower()}, "
                      "not a secret vote.", code="not_secret")
    if not is_present_voter(by, question.meeting):
        raise PermissionRefused("Only voting members checked in at the door vote: see a teller.")
    assert isinstance(by, User)
    try:
        with transaction.atomic():
            # The chair's close locks the row too: no vote lands after the count.
            if not Question.objects.select_for_update(no_key=True).filter(
                    pk=question.pk, status=Question.Status.OPEN).exists():
                raise Conflict("This vote has closed.", code="vote_closed")
            VoteMark.objects.create(question=question, user=by)
            SecretVote.objects.create(question=question, choice=choice)
    except IntegrityError:
        raise Conflict("You have already voted on this question.", code="already_voted") from None


def votes_cast(question: Question) -> int:
    """How many have voted so far, or for a card vote how many cards were cast (live)."""
    if question.method == Question.Method.CARD:
        return CardVote.objects.filter(question=question).count()
    return VoteMark.objects.filter(question=question).count()


@dataclass(frozen=True)
class Closed:
    question: Question
    warning: str = ""


def _decide(question: Question, votes_for: int, against: int, abstain: int, warning: str,
            cards_cast: int | None = None) -> None:
    """Record the result and apply its effects; call holding the question's row lock.

    A recount's result replaces the first one: its effects are applied only where
    they differ (an amendment carried first and lost on the recount is taken out of
    the motion again, as a new version of its text).
    """
    present = (question.weight_present or 0) if question.method == Question.Method.CARD else (
        question.voting_present)
    carried = is_carried(majority=question.majority, votes_for=votes_for, votes_against=against,
                         voting_present=present)
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(
        status=Question.Status.CLOSED, closed_at=now, votes_for=votes_for,
        votes_against=against, abstentions=abstain, carried=carried, warning=warning,
        cards_cast=cards_cast)
    question.refresh_from_db()
    before = question.recount_of.carried if question.recount_of is not None else None
    _forget_open_questions(question.meeting_id)
    transaction.on_commit(lambda: _forget_open_questions(question.meeting_id))
    motion = question.motion
    if question.kind == Question.Kind.ADMIT_EMERGENCY:
        status = Motion.Status.SUBMITTED if carried else Motion.Status.NOT_TAKEN
        Motion.objects.filter(pk=motion.pk).update(status=status)
    elif question.kind == Question.Kind.AMENDMENT:
        assert question.amendment is not None
        Amendment.objects.filter(pk=question.amendment.pk).update(
            status=Amendment.Status.CARRIED if carried else Amendment.Status.LOST)
        if carried and not before:
            amendment_apply(amendment=question.amendment)
        elif before and not carried:
            _amendment_undo(question.amendment)
    else:
        Motion.objects.filter(pk=motion.pk).update(
            status=Motion.Status.CARRIED if carried else Motion.Status.LOST)
        if motion.approves_id is not None:
            # The motion to approve earlier minutes: carried, they are approved here.
            Minutes.objects.filter(pk=motion.approves_id).update(
                approved_at=now if carried else None,
                approved_by=question.meeting if carried else None)


def _amendment_undo(amendment: Amendment) -> MotionVersion:
    """Give the motion back the text it had before ``amendment`` (a recount lost it)."""
    motion = Motion.objects.select_for_update().get(pk=amendment.motion_id)
    applied = motion.versions.filter(amendment=amendment).order_by("-number").first()
    assert applied is not None
    previous = motion.versions.filter(number__lt=applied.number).order_by("-number").first()
    assert previous is not None
    number = (motion.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    Motion.objects.filter(pk=motion.pk).update(text=previous.text)
    return MotionVersion.objects.create(motion=motion, number=number, text=previous.text,
                                        at=timezone.now())


def hands_record(*, by: Actor, question: Question, votes_for: int, votes_against: int,
                 abstentions: int) -> Closed:
    """Tellers' count of a show of hands closes the question; figures above the voting
    members present are recorded with a warning (the chair may count again).

    Raises:
        PermissionRefused: ``by`` is not a teller or the chair.
        Conflict: the question is closed, or is a secret vote.
        Refusal: a negative figure.
    """
    if not can_tell(by, question.meeting):
        raise PermissionRefused("Only tellers and the chair enter a show of hands.")
    if question.method != Question.Method.HANDS:
        raise Conflict(f"This question is a {question.get_method_display().lower()}, not a "
                       "show of hands.", code="not_hands")
    figures = (votes_for, votes_against, abstentions)
    if any(not isinstance(n, int) or n < 0 or n > 1_000_000 for n in figures):
        raise Refusal("Enter each count as a whole number, 0 or more.", code="bad_count",
                      field="votes_for")
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status != Question.Status.OPEN:
            raise Conflict("This question is already decided.", code="vote_closed")
        warning = ""
        if sum(figures) > locked.voting_present:
            warning = (f"The counts add up to {sum(figures)}, more than the "
                       f"{locked.voting_present} voting members present: count again if in doubt.")
        _decide(locked, *figures, warning)
    return Closed(locked, warning)


def question_close(*, by: Actor, question: Question) -> Closed:
    """The chair closes a secret or card vote; the tool counts it (a card vote: adds up
    the cards' weights) and applies the majority.

    Raises:
        PermissionRefused: ``by`` does not chair.
        Conflict: already closed, or a show of hands (tellers enter it).
    """
    if not can_chair(by, question.meeting):
        raise PermissionRefused("Only the chair closes a vote.")
    if question.method == Question.Method.HANDS:
        raise Conflict("Enter the tellers' count for a show of hands.", code="not_secret")
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status != Question.Status.OPEN:
            raise Conflict("This vote is already closed.", code="vote_closed")
        if locked.method == Question.Method.CARD:
            tally = card_tally(locked)
            C = SecretVote.Choice
            _decide(locked, tally.weights[C.FOR], tally.weights[C.AGAINST],
                    tally.weights[C.ABSTAIN], "", cards_cast=tally.cards)
            return Closed(locked)
        counts = dict(SecretVote.objects.filter(question=locked).values_list("choice")
                      .annotate(n=Count("id")).values_list("choice", "n"))
        C = SecretVote.Choice
        _decide(locked, counts.get(C.FOR, 0), counts.get(C.AGAINST, 0), counts.get(C.ABSTAIN, 0),
                "")
    return Closed(locked)


# -- What the phones poll ----------------------------------------------------------------

VOTE_TICKET_SALT = "rankfile.meetings.vote-status"
# A vote page's ticket lasts a long meeting day.
VOTE_TICKET_MAX_AGE = 14 * 3600
# Every phone in the room asks every 2 s; a question put or closed is seen by all
# within this (the service that puts or closes one also forgets it at once here).
OPEN_QUESTIONS_CACHE_SECONDS = 1


def vote_ticket(meeting: Meeting, user: User) -> str:
    """The signed ticket the vote page gives ``user`` to poll ``meeting``'s open questions.

    It stands for the login on the poll, so that 1,000 phones asking every
    2 s cost no session or user lookups. It tells only which secret questions
    are open and their text, which the page itself shows.
    """
    return signing.dumps([meeting.pk, user.pk], salt=VOTE_TICKET_SALT)


def vote_ticket_valid(ticket: str, meeting_id: int) -> bool:
    """Whether ``ticket`` was given for ``meeting_id`` and has not expired."""
    try:
        data = signing.loads(ticket[:200], salt=VOTE_TICKET_SALT, max_age=VOTE_TICKET_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, list) and len(data) == 2 and data[0] == meeting_id


def _open_key(meeting_id: int) -> str:
    return f"meetings:open-secret:{meeting_id}"


def _forget_open_questions(meeting_id: int) -> None:
    cache.delete(_open_key(meeting_id))


def open_secret_questions(meeting_id: int) -> list[dict[str, object]]:
    """The secret questions open now at ``meeting_id`` (id, kind, text), for the phones.

    Cached for ``OPEN_QUESTIONS_CACHE_SECONDS`` per meeting: at most that stale
    in another server process; at once in the one that put or closed a question.
    """
    key = _open_key(meeting_id)
    found = cache.get(key)
    if found is None:
        found = [{"id": q.pk, "kind": q.get_kind_display(), "text": q.text}
                 for q in Question.objects.filter(meeting_id=meeting_id,
                                                  status=Question.Status.OPEN,
                                                  method=Question.Method.SECRET)]
        cache.set(key, found, OPEN_QUESTIONS_CACHE_SECONDS)
    return found
