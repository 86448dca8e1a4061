"""Motions, emergency motions and amendments; every version of a motion's text is kept."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.access import can_call_meeting, membership_in
from rankfile.meetings.models import Amendment, Meeting, Motion, MotionVersion
from rankfile.meetings.services.text import checked_text


def _check_sponsors(meeting: Meeting, proposer: User | None, seconder: User | None) -> None:
    for who, field, label in ((proposer, "proposer", "proposer"), (seconder, "seconder", "seconder")):
        if who is None or membership_in(who, meeting.body) is None:
            raise Refusal(f"The {label} must be a member of {meeting.body} in good standing: "
                          "choose someone who is.", code="not_a_member", field=field)
    if proposer == seconder:
        raise Refusal("The seconder must be someone other than the proposer.",
                      code="same_sponsor", field="seconder")


def _may_submit(by: Actor, meeting: Meeting) -> None:
    if membership_in(by, meeting.body) is None and not can_call_meeting(by, meeting.body):
        raise PermissionRefused("Only members of the body submit motions to its meetings.")


def motion_submit(*, by: Actor, meeting: Meeting, title: str, text: str, proposer: User | None,
                  seconder: User | None, emergency: bool = False,
                  urgency_reason: str = "") -> Motion:
    """Submit a motion; after the deadline, only as an emergency motion with its reason.

    An emergency motion waits for the meeting to admit it by a procedural vote.

    Raises:
        PermissionRefused: ``by`` is not a member of the body nor its secretary.
        Refusal: the proposer or seconder is not a member in good standing, the
            deadline passed without emergency status, or a field is unusable.
    """
    _may_submit(by, meeting)
    title = checked_text(title, field="title", label="title", max_length=200)
    text = checked_text(text, field="text", label="text of the motion", max_length=20_000)
    urgency_reason = checked_text(urgency_reason, field="urgency_reason",
                                  label="reason for urgency", max_length=2000,
                                  required=emergency)
    _check_sponsors(meeting, proposer, seconder)
    if meeting.status == Meeting.Status.CLOSED:
        raise Refusal("This meeting is over: submit the motion to the next one.",
                      code="meeting_closed")
    now = timezone.now()
    late = meeting.motions_deadline is not None and now > meeting.motions_deadline
    if late and not emergency:
        raise Refusal("The deadline for motions has passed: submit it as an emergency motion, "
                      "saying why it cannot wait.", code="after_deadline", field="emergency")
    if emergency and not late:
        raise Refusal("The deadline has not passed: submit it as an ordinary motion.",
                      code="not_an_emergency", field="emergency")
    assert proposer is not None and seconder is not None
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # numbers in turn
        number = (meeting.motions.aggregate(n=Max("number"))["n"] or 0) + 1
        motion = Motion.objects.create(
            meeting=meeting, number=number, title=title, text=text, proposer=proposer,
            seconder=seconder, submitted_by=by if isinstance(by, User) else None,
            submitted_at=now, is_emergency=emergency, urgency_reason=urgency_reason,
            status=Motion.Status.AWAITING_ADMISSION if emergency else Motion.Status.SUBMITTED)
        MotionVersion.objects.create(motion=motion, number=1, text=text, at=now)
    return motion


def amended_text(text: str, *, kind: str, target: str, new_text: str) -> str:
    """``text`` with one amendment applied (to the first place ``target`` occurs).

    Raises:
        Refusal: ``target`` is not in ``text``, or the amendment changes nothing.
    """
    if kind != Amendment.Kind.INSERT or target:
        if not target or target not in text:
            raise Refusal("Quote words that are in the motion as it stands.", code="not_in_text",
                          field="target")
    if kind == Amendment.Kind.DELETE:
        result = text.replace(target, "", 1)
    elif kind == Amendment.Kind.REPLACE:
        result = text.replace(target, new_text, 1)
    elif kind == Amendment.Kind.INSERT:
        if not new_text:
            raise Refusal("Enter the words to insert.", code="required", field="new_text")
        if target:
            at = text.index(target) + len(target)
            result = text[:at] + new_text + text[at:]
        else:
            result = f"{text.rstrip()} {new_text}"
    else:
        raise Refusal("Choose delete, insert or replace.", code="bad_kind", field="kind")
    result = " ".join(result.split(" ")).strip()
    if result == text.strip() or not result:
        raise Refusal("The amendment must change the motion and leave some text.",
                      code="no_change", field="new_text")
    return result


def amendment_submit(*, by: Actor, motion: Motion, kind: str, target: str = "",
                     new_text: str = "", proposer: User | None,
                     seconder: User | None) -> Amendment:
    """Submit an amendment to a motion not yet voted on.

    Raises:
        PermissionRefused: ``by`` is not a member of the body nor its secretary.
        Conflict: the motion was already voted on, or is not before the meeting.
        Refusal: bad sponsors, or text the amendment cannot apply to.
    """
    meeting = motion.meeting
    _may_submit(by, meeting)
    target = checked_text(target, field="target", label="words to change", max_length=5000,
                          required=False)
    new_text = checked_text(new_text, field="new_text", label="new words", max_length=5000,
                            required=kind != Amendment.Kind.DELETE)
    _check_sponsors(meeting, proposer, seconder)
    assert proposer is not None and seconder is not None
    with transaction.atomic():
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        if not motion.is_open_to_amendment:
            raise Conflict(f"Motion {motion.number} is {motion.get_status_display().lower()}: "
                           "it can no longer be amended.", code="motion_decided")
        amended_text(motion.text, kind=kind, target=target, new_text=new_text)
        number = (motion.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
        return Amendment.objects.create(
            motion=motion, number=number, kind=kind, target=target, new_text=new_text,
            proposer=proposer, seconder=seconder, submitted_at=timezone.now())


def amendment_apply(*, amendment: Amendment) -> MotionVersion:
    """Write the motion's new text after ``amendment`` carried, and keep the version.

    Call inside the transaction that records the vote.

    Raises:
        Refusal: the motion's text no longer holds the words the amendment changes
            (an earlier amendment changed them); the amendment falls.
    """
    motion = Motion.objects.select_for_update().get(pk=amendment.motion_id)
    text = amended_text(motion.text, kind=amendment.kind, target=amendment.target,
                        new_text=amendment.new_text)
    number = (motion.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    Motion.objects.filter(pk=motion.pk).update(text=text)
    return MotionVersion.objects.create(motion=motion, number=number, text=text,
                                        amendment=amendment, at=timezone.now())
