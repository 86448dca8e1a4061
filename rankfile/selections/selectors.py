"""Reading selections: the public record of a trigger ballot, and votes a secretary may link."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from rankfile.branches.models import Body
from rankfile.meetings.models import Meeting, Question
from rankfile.selections.access import deciding_bodies
from rankfile.selections.models import Decision, Selection


@dataclass(frozen=True)
class BodyRow:
    """One branch or affiliate on the public page: its decision, or none yet."""

    body: Body
    decision: Decision | None

    @property
    def question(self) -> Question | None:
        return self.decision.question if self.decision else None


def selection_list() -> QuerySet[Selection]:
    return Selection.objects.select_related("constituency").order_by("-created_at")


def decision_rows(selection: Selection, purpose: str) -> list[BodyRow]:
    """Every branch and affiliate taking part, with its decision for ``purpose`` if any."""
    decisions = {d.body_id: d for d in Decision.objects.filter(
        selection=selection, purpose=purpose).select_related(
        "question__meeting", "question__motion", "applicant")}
    return [BodyRow(b, decisions.get(b.pk)) for b in deciding_bodies(selection)]


def linkable_questions(selection: Selection, body: Body) -> list[Question]:
    """Closed votes on motions at ``body``'s meetings since the selection began, not yet used."""
    used = Decision.objects.filter(selection=selection).values("question_id")
    return list(Question.objects.filter(
        meeting__body=body, kind=Question.Kind.MOTION, status=Question.Status.CLOSED,
        closed_at__gte=selection.created_at).exclude(pk__in=used)
        .select_related("meeting", "motion").order_by("-closed_at"))


def constituency_meetings(selection: Selection) -> list[Meeting]:
    """Meetings of the constituency that are not over, for hustings."""
    return list(Meeting.objects.filter(body=selection.constituency).exclude(
        status=Meeting.Status.CLOSED).exclude(
        pk__in=selection.hustings.values("meeting_id")).order_by("starts_at"))
