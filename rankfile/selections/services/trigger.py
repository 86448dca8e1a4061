"""Starting a selection, linking bodies' decisions to their meetings, and the trigger ballot."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.core.actors import is_system
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.models import Question
from rankfile.meetings.services.text import checked_text
from rankfile.selections.access import (
    DECIDING_KINDS,
    can_manage,
    check_links_for,
    deciding_bodies,
)
from rankfile.selections.models import Applicant, Decision, Selection
from rankfile.selections.rules import is_open_selection, threshold_parse

S = Selection.Stage
P = Decision.Purpose


def selection_create(*, by: Actor, constituency: Body, office: str, slug: str = "",
                     sitting_representative: str = "", branch_threshold: str = "1/3",
                     affiliate_threshold: str = "1/3",
                     trigger_deadline: dt.datetime | None = None) -> Selection:
    """Start selecting ``constituency``'s candidate for ``office``.

    With a sitting representative it opens with their trigger ballot (which
    needs a deadline in the future); without one, with nominations.

    Raises:
        PermissionRefused: ``by`` is not the constituency's secretary.
        Refusal: a field is unusable (``field`` says which), a threshold is
            out of range, or a selection for this office is already under way.
    """
    if not can_manage(by, constituency):
        raise PermissionRefused("Only the constituency's secretary starts its selections.",
                                code="not_constituency_secretary")
    office = checked_text(office, field="office", label="office", max_length=200)
    sitting = checked_text(sitting_representative, field="sitting_representative",
                           label="sitting representative's name", max_length=200, required=False)
    slug = slugify(slug or f"{constituency.code}-{office}")[:80].strip("-")
    if not slug:
        raise Refusal("Give the selection an address of letters, digits and hyphens.",
                      code="bad_slug", field="slug")
    b = threshold_parse(branch_threshold, field="branch_threshold", label="branches' threshold")
    a = threshold_parse(affiliate_threshold, field="affiliate_threshold",
                        label="affiliates' threshold")
    now = timezone.now()
    if sitting and (trigger_deadline is None or trigger_deadline <= now):
        raise Refusal("Set a deadline in the future for the branches and affiliates to decide.",
                      code="bad_deadline", field="trigger_deadline")
    # "new" is the address of the page that starts a selection.
    if slug == "new" or Selection.objects.filter(slug=slug).exists():
        raise Refusal("There is already a selection at this address: choose another.",
                      code="slug_taken", field="slug")
    if Selection.objects.filter(constituency=constituency, office=office).exclude(
            stage=S.SELECTED).exists():
        raise Refusal(f"A selection for {office} is already under way.", code="under_way",
                      field="office")
    try:
        with transaction.atomic():
            return Selection.objects.create(
                slug=slug, constituency=constituency, office=office,
                sitting_representative=sitting, stage=S.TRIGGER if sitting else S.NOMINATIONS,
                created_at=now, created_by=by if isinstance(by, User) else None,
                branch_threshold=f"{b.numerator}/{b.denominator}",
                affiliate_threshold=f"{a.numerator}/{a.denominator}",
                trigger_deadline=trigger_deadline if sitting else None)
    except IntegrityError:  # the same address taken meanwhile
        raise Refusal("There is already a selection at this address: choose another.",
                      code="slug_taken", field="slug") from None


def _check_question(selection: Selection, body: Body, question: Question | None) -> Question:
    if question is None:
        raise Refusal("Choose the vote of your meeting that decided it.", code="no_question",
                      field="question")
    meeting = question.meeting
    if meeting.body_id != body.pk:
        raise Refusal(f"That vote was taken at a meeting of {meeting.body}, not of {body}: "
                      f"choose a vote of {body}'s own meeting.", code="other_body",
                      field="question")
    if question.kind != Question.Kind.MOTION:
        raise Refusal("Choose the vote on the motion itself, not on an amendment or on taking "
                      "an emergency motion.", code="not_a_motion", field="question")
    if question.status != Question.Status.CLOSED or question.carried is None:
        raise Conflict("That motion has not been voted on yet: record the decision once the "
                       "meeting has voted.", code="not_voted", field="question")
    assert question.closed_at is not None
    if question.closed_at < selection.created_at:
        raise Refusal(f"That vote was taken on {question.closed_at:%-d %B %Y}, before this "
                      "selection began: only a meeting held since counts.",
                      code="before_selection", field="question")
    return question


def _check_open(selection: Selection, purpose: str, now: dt.datetime) -> None:
    if purpose == P.TRIGGER:
        if selection.stage != S.TRIGGER or selection.outcome:
            raise Conflict("The trigger ballot is over: its outcome is published.",
                           code="trigger_over")
        if selection.trigger_deadline and now > selection.trigger_deadline:
            raise Conflict(f"The deadline for decisions passed on "
                           f"{selection.trigger_deadline:%-d %B %Y}.", code="deadline_passed")
    else:
        if selection.stage != S.NOMINATIONS:
            raise Conflict("Nominations are not open for this selection.",
                           code="nominations_closed")
        if selection.nominations_close_at and now > selection.nominations_close_at:
            raise Conflict("Nominations have closed.", code="nominations_closed")


def decision_link(*, by: Actor, selection: Selection, body: Body, question: Question | None,
                  purpose: str = P.TRIGGER, applicant: Applicant | None = None) -> Decision:
    """Record ``body``'s decision by linking it to the vote of its meeting that took it.

    The trigger ballot's answer is the question's result (carried: yes, an open
    selection); a nomination needs a carried motion and names the applicant it
    nominates. When the last body's trigger decision is linked, the thresholds
    are applied at once (``trigger_conclude``).

    Raises:
        PermissionRefused: ``by`` is not the body's secretary.
        Refusal: the body does not take part, the vote is of another body's
            meeting, not on a motion, not yet taken, older than the selection;
            a nomination's motion was lost or its applicant is not in this selection.
        Conflict: the stage is over, or the body has decided already.
    """
    check_links_for(by, body)
    if purpose not in P.values:
        raise Refusal("Choose a trigger ballot decision or a nomination.", code="bad_purpose")
    if body.kind not in DECIDING_KINDS or body.parent_id != selection.constituency_id:
        raise Refusal(f"{body} is not a branch or an affiliate of "
                      f"{selection.constituency}: it takes no part in this selection.",
                      code="not_taking_part")
    now = timezone.now()
    _check_open(selection, purpose, now)
    question = _check_question(selection, body, question)
    if purpose == P.NOMINATION:
        if applicant is None or applicant.selection_id != selection.pk:
            raise Refusal("Choose whom the motion nominates, among the applicants.",
                          code="no_applicant", field="applicant")
        if not question.carried:
            raise Refusal("That motion was lost: a lost motion nominates no one.",
                          code="motion_lost", field="question")
    else:
        applicant = None
    try:
        with transaction.atomic():
            locked = Selection.objects.select_for_update().get(pk=selection.pk)
            _check_open(locked, purpose, now)
            if Decision.objects.filter(selection=locked, purpose=purpose, body=body).exists():
                raise Conflict(f"{body}'s decision is recorded already: a body decides once.",
                               code="already_decided")
            if Decision.objects.filter(selection=locked, question=question).exists():
                raise Conflict("That vote is already recorded as a decision.",
                               code="question_used", field="question")
            decision = Decision.objects.create(
                selection=locked, purpose=purpose, body=body, question=question,
                applicant=applicant, linked_by=by if isinstance(by, User) else None,
                linked_at=now)
            if purpose == P.TRIGGER and _undecided(locked) == []:
                _apply(locked, now)
    except IntegrityError:  # the same body linked from another page meanwhile
        raise Conflict(f"{body}'s decision is recorded already: a body decides once.",
                       code="already_decided") from None
    selection.refresh_from_db()
    return decision


def _undecided(selection: Selection) -> list[Body]:
    done = set(Decision.objects.filter(selection=selection, purpose=P.TRIGGER)
               .values_list("body_id", flat=True))
    return [b for b in deciding_bodies(selection) if b.pk not in done]


@dataclass(frozen=True)
class Tally:
    branches_yes: int
    branches_total: int
    affiliates_yes: int
    affiliates_total: int

    def is_open(self, selection: Selection) -> bool:
        return is_open_selection(
            **asdict(self), branch_threshold=Fraction(selection.branch_threshold),
            affiliate_threshold=Fraction(selection.affiliate_threshold))


def trigger_tally(selection: Selection) -> Tally:
    """Who says yes so far, of every branch and affiliate taking part."""
    bodies = deciding_bodies(selection)
    yes = set(Decision.objects.filter(selection=selection, purpose=P.TRIGGER,
                                      question__carried=True).values_list("body_id", flat=True))
    branches = [b for b in bodies if b.kind == Body.Kind.BRANCH]
    affiliates = [b for b in bodies if b.kind == Body.Kind.AFFILIATE]
    return Tally(branches_yes=sum(b.pk in yes for b in branches), branches_total=len(branches),
                 affiliates_yes=sum(b.pk in yes for b in affiliates),
                 affiliates_total=len(affiliates))


def _apply(selection: Selection, now: dt.datetime) -> None:
    """Apply the thresholds to the decisions recorded; hold the selection's row lock."""
    tally = trigger_tally(selection)
    opened = tally.is_open(selection)
    selection.outcome = Selection.Outcome.OPEN if opened else Selection.Outcome.RESELECTED
    selection.outcome_at = now
    selection.branches_yes, selection.branches_total = tally.branches_yes, tally.branches_total
    selection.affiliates_yes = tally.affiliates_yes
    selection.affiliates_total = tally.affiliates_total
    fields = ["outcome", "outcome_at", "branches_yes", "branches_total", "affiliates_yes",
              "affiliates_total", "stage"]
    if opened:
        selection.stage = S.NOMINATIONS
    else:
        selection.stage = S.SELECTED
        selection.selected_name, selection.selected_at = selection.sitting_representative, now
        fields += ["selected_name", "selected_at"]
    selection.save(update_fields=fields)


def trigger_conclude(*, by: Actor, selection: Selection,
                     now: dt.datetime | None = None) -> Selection:
    """Apply the thresholds: once every body has decided, or the deadline has passed.

    Bodies that did not decide count as not saying yes. Safe to run twice.

    Raises:
        PermissionRefused: ``by`` is neither the constituency's secretary nor the site.
        Conflict: the trigger ballot is over, or bodies may still decide.
    """
    if not (is_system(by) or can_manage(by, selection.constituency)):
        raise PermissionRefused("Only the constituency's secretary applies the rules.",
                                code="not_constituency_secretary")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        if locked.stage != S.TRIGGER or locked.outcome:
            raise Conflict("The trigger ballot is over: its outcome is published.",
                           code="trigger_over")
        waiting = _undecided(locked)
        if waiting and (locked.trigger_deadline is None or now <= locked.trigger_deadline):
            raise Conflict(f"{len(waiting)} of the bodies have not decided yet and the deadline "
                           "has not passed: wait for them.", code="still_deciding")
        _apply(locked, now)
    selection.refresh_from_db()
    return selection


def triggers_conclude_due(*, by: Actor, now: dt.datetime | None = None) -> list[Selection]:
    """Apply the thresholds of every trigger ballot whose deadline has passed (a job).

    Only the site itself runs this; running it twice changes nothing more.
    """
    if not is_system(by):
        raise PermissionRefused("Trigger ballots close on schedule by the site itself.",
                                code="not_system")
    now = now or timezone.now()
    done = []
    for selection in Selection.objects.filter(stage=S.TRIGGER, outcome="",
                                              trigger_deadline__lt=now):
        try:
            done.append(trigger_conclude(by=by, selection=selection, now=now))
        except Conflict:
            continue  # concluded meanwhile
    return done
