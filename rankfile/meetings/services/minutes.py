"""Minutes: drafted from the record, edited by the secretary, published to the body."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, PermissionRefused
from rankfile.meetings.access import can_call_meeting
from rankfile.meetings.models import Attendance, Meeting, Minutes, Reply
from rankfile.meetings.services.text import checked_text


def minutes_draft_text(meeting: Meeting) -> str:
    """The minutes as the record tells them: attendance, each motion with its versions,
    amendments and every question's method, figures, majority and result."""
    attendance = Attendance.objects.filter(meeting=meeting)
    counts = {s: attendance.filter(standing=s).count() for s in Attendance.Standing.values}
    return render_to_string("meetings/minutes.txt", {
        "meeting": meeting, "counts": counts, "present": attendance.count(),
        "apologies": Reply.objects.filter(meeting=meeting, answer=Reply.Answer.APOLOGIES).count(),
        "motions": meeting.motions.prefetch_related("versions", "amendments", "questions"),
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
