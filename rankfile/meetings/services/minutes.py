"""Minutes: drafted from the record, edited by the secretary, published to the body,
approved by the body's next meeting."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.access import can_call_meeting
from rankfile.meetings.models import Attendance, Meeting, Minutes, Motion, MotionVersion, Reply
from rankfile.meetings.services.text import checked_text


def minutes_draft_text(meeting: Meeting) -> str:
    """The minutes as the record tells them: attendance, each motion with its versions,
    amendments and every question's method, figures, majority and result."""
    attendance = Attendance.objects.filter(meeting=meeting)
    counts = {s: attendance.filter(standing=s).count() for s in Attendance.Standing.values}
    return render_to_string("meetings/minutes.txt", {
        "meeting": meeting, "counts": counts, "present": attendance.count(),
        "apologies": Reply.objects.filter(meeting=meeting, answer=Reply.Answer.APOLOGIES).count(),
        "motions": meeting.motions.select_related("approves__meeting").prefetch_related(
            "versions", "amendments", "questions__recount_of", "questions__card_votes__card"),
        "cards": meeting.cards.all(),
    }).strip() + "\n"


def minutes_generate(*, by: Actor, meeting: Meeting) -> Minutes:
    """Draft (or draft again) the minutes from the record; published minutes stay as they are.

    Raises:
        PermissionRefused: ``by`` is not the body's secretary or chair.
        Conflict: the minutes are published.
    """
    if not can_call_meeting(by, meeting.body):
        raise PermissionRefused("Only the secretary or chair writes the minutes.")
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.published_at:
        raise Conflict("The minutes are published: they can no longer be redrafted.",
                       code="published")
    text = minutes_draft_text(meeting)
    minutes, _ = Minutes.objects.update_or_create(
        meeting=meeting, defaults={"text": text, "generated_at": timezone.now(),
                                   "edited_by": None, "edited_at": None})
    return minutes


def minutes_edit(*, by: Actor, minutes: Minutes, text: str) -> Minutes:
    if not can_call_meeting(by, minutes.meeting.body):
        raise PermissionRefused("Only the secretary or chair edits the minutes.")
    if minutes.published_at:
        raise Conflict("The minutes are published: they can no longer be edited.",
                       code="published")
    minutes.text = checked_text(text, field="text", label="minutes", max_length=100_000)
    minutes.edited_by = by if isinstance(by, User) else None
    minutes.edited_at = timezone.now()
    minutes.save(update_fields=("text", "edited_by", "edited_at"))
    return minutes


def minutes_publish(*, by: Actor, minutes: Minutes) -> Minutes:
    if not can_call_meeting(by, minutes.meeting.body):
        raise PermissionRefused("Only the secretary or chair publishes the minutes.")
    Minutes.objects.filter(pk=minutes.pk, published_at__isnull=True).update(
        published_at=timezone.now())
    minutes.refresh_from_db()
    return minutes


def _day(meeting: Meeting) -> str:
    return dateformat.format(timezone.localtime(meeting.starts_at), "j F Y")


def next_meeting(meeting: Meeting) -> Meeting | None:
    """The body's next meeting after ``meeting`` that is not over: it approves the minutes."""
    return (Meeting.objects.filter(body_id=meeting.body_id, starts_at__gt=meeting.starts_at)
            .exclude(status=Meeting.Status.CLOSED).order_by("starts_at", "pk").first())


def minutes_put_for_approval(*, by: Actor, minutes: Minutes) -> Motion:
    """Put the motion "that the minutes of <date> are approved" to the body's next meeting.

    When that motion carries, the minutes are marked approved by that meeting
    (``votes._decide``); if it is lost, the secretary may put them again.

    Raises:
        PermissionRefused: ``by`` is not the body's secretary or chair.
        Conflict: the minutes are not published, already approved, or already
            before a meeting.
        Refusal: the body has no later meeting called.
    """
    meeting = minutes.meeting
    if not can_call_meeting(by, meeting.body) or not isinstance(by, User):
        raise PermissionRefused("Only the secretary or chair puts the minutes for approval.")
    if minutes.published_at is None:
        raise Conflict("Publish the minutes first, so that members can read them before they "
                       "approve them.", code="not_published")
    if minutes.approved_at is not None:
        raise Conflict("These minutes are already approved.", code="approved")
    later = next_meeting(meeting)
    if later is None:
        raise Refusal(f"Call the next meeting of {meeting.body} first: the minutes are approved "
                      "there.", code="no_next_meeting")
    when = _day(meeting)
    text = f"That the minutes of the {meeting.title} of {when} are approved as a correct record."
    now = timezone.now()
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=later.pk).first()  # numbers in turn
        pending = Motion.objects.filter(approves=minutes, status__in=(
            Motion.Status.SUBMITTED, Motion.Status.CARRIED)).select_related("meeting").first()
        if pending is not None:
            raise Conflict(f"These minutes are already on the agenda of {pending.meeting.title} "
                           f"of {_day(pending.meeting)}.", code="already_put")
        number = (later.motions.aggregate(n=Max("number"))["n"] or 0) + 1
        motion = Motion.objects.create(
            meeting=later, number=number, title=f"Minutes of {when}", text=text, proposer=by,
            seconder=by, submitted_by=by, submitted_at=now, approves=minutes)
        MotionVersion.objects.create(motion=motion, number=1, text=text, at=now)
    return motion
