"""Card votes: delegates' weighted cards, set up before the meeting and cast per card.

A card vote is not secret: each card's vote is recorded (``CardVote``), with who
entered it, the card's holder on their phone or a teller from the floor. The
result is the cards' weights added up; the tool applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.meetings.access import can_call_meeting, can_tell
from rankfile.meetings.models import Attendance, Card, CardVote, Meeting, Question, SecretVote
from rankfile.meetings.services.text import checked_text

MAX_WEIGHT = 10_000_000


def parse_weight(value: str) -> int:
    """A card's weight as typed ("12,000", "12 000" or "12000").

    Raises:
        Refusal: not a whole number from 1 to ``MAX_WEIGHT``.
    """
    digits = (value or "").strip().replace(",", "").replace(" ", "").replace("_", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9 or not (
            1 <= int(digits) <= MAX_WEIGHT):
        raise Refusal(f"Enter the card's weight as a whole number from 1 to {MAX_WEIGHT:,}, "
                      "for example 12,000.", code="bad_weight", field="weight")
    return int(digits)


def _card_vote_open(meeting: Meeting) -> bool:
    return Question.objects.filter(meeting=meeting, method=Question.Method.CARD,
                                   status=Question.Status.OPEN).exists()


def card_add(*, by: Actor, meeting: Meeting, holder: User | None, casts_for: str,
             weight: int) -> Card:
    """The secretary gives ``holder`` a card casting ``weight`` votes for ``casts_for``.

    Raises:
        PermissionRefused: ``by`` is not the body's secretary or chair.
        Conflict: the meeting is over, or a card vote is open.
        Refusal: no holder found, an unusable name, a weight out of range, or
            ``casts_for`` already has a card at this meeting.
    """
    if not can_call_meeting(by, meeting.body):
        raise PermissionRefused("Only the secretary or chair sets up the delegates' cards.")
    if holder is None:
        raise Refusal("No member of this body, nor anyone who said they are coming, has that "
                      "membership number: check it, or ask the delegate to reply to the notice.",
                      code="no_holder", field="holder")
    casts_for = checked_text(casts_for, field="casts_for",
                             label="organisation or branch the card casts for", max_length=200)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_WEIGHT:
        raise Refusal(f"Enter the card's weight as a whole number from 1 to {MAX_WEIGHT:,}.",
                      code="bad_weight", field="weight")
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict("This meeting is over: its cards can no longer change.",
                       code="meeting_closed")
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if _card_vote_open(meeting):
            raise Conflict("A card vote is open: close it before changing the cards.",
                           code="card_vote_open")
        if Card.objects.filter(meeting=meeting, casts_for__iexact=casts_for).exists():
            raise Refusal(f"{casts_for} already has a card at this meeting: remove it first to "
                          "change its holder or weight.", code="duplicate_card",
                          field="casts_for")
        return Card.objects.create(meeting=meeting, holder=holder, casts_for=casts_for,
                                   weight=weight, added_at=timezone.now())


def card_remove(*, by: Actor, card: Card) -> None:
    """Take a card back before it is used.

    Raises:
        PermissionRefused: ``by`` is not the body's secretary or chair.
        Conflict: the card was cast (it stays in the record), or a card vote is open.
    """
    meeting = card.meeting
    if not can_call_meeting(by, meeting.body):
        raise PermissionRefused("Only the secretary or chair sets up the delegates' cards.")
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if _card_vote_open(meeting):
            raise Conflict("A card vote is open: close it before changing the cards.",
                           code="card_vote_open")
        if CardVote.objects.filter(card=card).exists():
            raise Conflict(f"The card for {card.casts_for} has been cast: it stays in the record.",
                           code="card_used")
        Card.objects.filter(pk=card.pk).delete()


def is_present(user: User, meeting: Meeting) -> bool:
    """Whether ``user`` is checked in and has not left (any standing)."""
    return Attendance.objects.filter(meeting=meeting, user=user,
                                     checked_out_at__isnull=True).exists()


def weight_present(meeting: Meeting) -> int:
    """The weight of the cards whose holders are in the room now."""
    here = Attendance.objects.filter(meeting=meeting, checked_out_at__isnull=True,
                                     user__isnull=False).values("user_id")
    return int(Card.objects.filter(meeting=meeting, holder_id__in=here)
               .aggregate(w=Sum("weight"))["w"] or 0)


def card_cast(*, by: Actor, question: Question, card: Card, choice: str) -> CardVote:
    """Cast ``card`` on ``question``: by its holder on their phone, or by a teller.

    Raises:
        Refusal: an unknown choice, a question not taken by card vote, or the
            card's holder not checked in.
        NotFound: the card is not one of this meeting's.
        PermissionRefused: ``by`` neither holds the card nor tells the meeting.
        Conflict: the card was already cast on this question, or the vote closed.
    """
    if choice not in SecretVote.Choice.values:
        raise Refusal("Choose for, against or abstain.", code="bad_choice", field="choice")
    if question.method != Question.Method.CARD:
        raise Refusal("This question is not taken by card vote.", code="not_card")
    if card.meeting_id != question.meeting_id:
        raise NotFound("That card is not one of this meeting's.")
    holds = isinstance(by, User) and by.pk == card.holder_id
    if not holds and not can_tell(by, question.meeting):
        raise PermissionRefused("Only the card's holder, or a teller, casts a card.")
    if not is_present(card.holder, question.meeting):
        raise Refusal("Check in at the door before casting your card." if holds else
                      f"The holder of the card for {card.casts_for} is not checked in: a card "
                      "is cast only by its holder in the room.", code="holder_not_present")
    try:
        with transaction.atomic():
            if not Question.objects.select_for_update(no_key=True).filter(
                    pk=question.pk, status=Question.Status.OPEN).exists():
                raise Conflict("This vote has closed.", code="vote_closed")
            return CardVote.objects.create(question=question, card=card, choice=choice,
                                           entered_by=by if isinstance(by, User) else None,
                                           at=timezone.now())
    except IntegrityError:
        raise Conflict(f"The card for {card.casts_for} has already been cast on this question.",
                       code="card_already_cast") from None


@dataclass(frozen=True)
class CardTally:
    cards: int
    weights: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.weights.values())


def card_tally(question: Question) -> CardTally:
    """The cards cast on ``question`` so far, and their weights by choice."""
    rows = (CardVote.objects.filter(question=question).values("choice")
            .annotate(n=Count("id"), w=Sum("card__weight")))
    weights = {c: 0 for c in SecretVote.Choice.values}
    cards = 0
    for row in rows:
        weights[row["choice"]] = int(row["w"] or 0)
        cards += row["n"]
    return CardTally(cards, weights)


def cards_held(user: Actor, meeting: Meeting) -> list[Card]:
    return list(Card.objects.filter(meeting=meeting, holder=user)) if isinstance(
        user, User) else []
