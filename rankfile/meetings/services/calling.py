"""Calling a meeting, sending its notice, members' replies, and joining a group.

Two kinds of meeting e-mail: the notice the body's rules require
(``meeting_send_notice``) goes to every member in good standing, even one who
turned off the branch's other e-mail (mailings preferences): they are entitled
to know a meeting is called. Anything else about a meeting, such as a
reminder (``meeting_send_reminder``), is the branch's other e-mail: it leaves
out those who turned it off, and carries an unsubscribe link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.mailings.models import MailPreferences
from rankfile.mailings.services import unsubscribe_url
from rankfile.meetings.access import body_memberships, can_call_meeting, membership_in
from rankfile.meetings.models import GroupMember, Meeting, MeetingRules, Reply
from rankfile.meetings.services.text import checked_text
from rankfile.membership.models import GOOD_STANDING, Membership
from rankfile.outbox.services import Draft, outbox_enqueue_many

NOTICE_PURPOSE = "meeting_notice"
REMINDER_PURPOSE = "meeting_reminder"


def rules_of(body: Body) -> MeetingRules:
    """The body's meeting rules, or the defaults (unsaved) when it has none."""
    return MeetingRules.objects.filter(body=body).first() or MeetingRules(body=body)


@dataclass(frozen=True)
class Called:
    meeting: Meeting
    # Said to the secretary when the notice is shorter than the rules require.
    warning: str = ""


def notice_warning(meeting: Meeting, *, now: dt.datetime | None = None) -> str:
    """A sentence for the secretary when notice sent ``now`` is shorter than the rules say."""
    needed = rules_of(meeting.body).notice_days
    now = now or timezone.now()
    if meeting.starts_at - now >= dt.timedelta(days=needed):
        return ""
    return (f"The rules of {meeting.body} require {needed} days' notice; this meeting is "
            f"{max(0, (meeting.starts_at - now).days)} days away. Decisions taken on short "
            "notice can be challenged: move the meeting later if you can.")


def meeting_call(*, by: Actor, body: Body, title: str, starts_at: dt.datetime, place: str = "",
                 online_link: str = "", agenda: str = "",
                 motions_deadline: dt.datetime | None = None, is_public: bool = False) -> Called:
    """Call a meeting of ``body``; the answer carries a warning if notice would be short.

    Raises:
        PermissionRefused: ``by`` may not call ``body``'s meetings.
        Refusal: a field is missing or unusable (the ``field`` says which).
    """
    if not can_call_meeting(by, body):
        raise PermissionRefused("Only the body's secretary or chair calls its meetings.")
    title = checked_text(title, field="title", label="title", max_length=200)
    place = checked_text(place, field="place", label="place", max_length=300, required=False)
    online_link = checked_text(online_link, field="online_link", label="online link",
                               max_length=200, required=False)
    if online_link and not online_link.startswith(("https://", "http://")):
        raise Refusal("Give the online link as an address starting https://.", code="bad_link",
                      field="online_link")
    agenda = checked_text(agenda, field="agenda", label="agenda", max_length=20_000,
                          required=False)
    if not (place or online_link):
        raise Refusal("Enter the place of the meeting, or its online link.", code="required",
                      field="place")
    now = timezone.now()
    if starts_at <= now:
        raise Refusal("Choose a date and time in the future.", code="in_the_past",
                      field="starts_at")
    if motions_deadline is not None and motions_deadline > starts_at:
        raise Refusal("Set the deadline for motions before the meeting starts.",
                      code="bad_deadline", field="motions_deadline")
    meeting = Meeting.objects.create(
        body=body, title=title, starts_at=starts_at, place=place, online_link=online_link,
        agenda=agenda, motions_deadline=motions_deadline, is_public=bool(is_public),
        called_by=by if isinstance(by, User) else None, called_at=now)
    return Called(meeting, notice_warning(meeting, now=now))


def _notices(meeting: Meeting) -> Iterator[Draft]:
    subject = f"Notice of meeting: {meeting.title}"
    url = settings.SITE_URL.rstrip("/") + meeting.get_absolute_url()
    rows = (body_memberships(meeting.body).select_related("user")
            .order_by("user_id").values_list("user_id", "user__email", "first_name"))
    seen: set[int] = set()
    for user_id, email, first_name in rows.iterator(chunk_size=2000):
        if user_id in seen or not email:
            continue
        seen.add(user_id)
        body = render_to_string("meetings/email/notice.txt", {
            "meeting": meeting, "first_name": first_name, "url": url,
            "ORGANISATION_NAME": settings.ORGANISATION_NAME})
        yield Draft(to=email, subject=subject, body=body, purpose=NOTICE_PURPOSE,
                    key=f"meeting_notice:{meeting.pk}:{user_id}")


def meeting_send_notice(*, by: Actor, meeting: Meeting) -> int:
    """E-mail the notice to every member of the body in good standing; returns how many.

    A notice the rules require goes to everyone in good standing, whatever
    mailing preferences they set. Sending again queues nothing twice (one key
    per member and meeting), so a second click, or a retry, is safe.

    Raises:
        PermissionRefused: ``by`` may not call the body's meetings.
        Refusal: the meeting is already over.
    """
    if not can_call_meeting(by, meeting.body):
        raise PermissionRefused("Only the body's secretary or chair sends notice.")
    if meeting.status == Meeting.Status.CLOSED:
        raise Refusal("This meeting is over: call a new one.", code="meeting_closed")
    with transaction.atomic():
        queued = outbox_enqueue_many(_notices(meeting))
        now = timezone.now()
        Meeting.objects.filter(pk=meeting.pk, notice_sent_at__isnull=True).update(
            notice_sent_at=now, short_notice=bool(notice_warning(meeting, now=now)))
    meeting.refresh_from_db(fields=("notice_sent_at", "short_notice"))
    return queued


def _reminders(meeting: Meeting) -> Iterator[Draft]:
    subject = f"Reminder: {meeting.title}"
    url = settings.SITE_URL.rstrip("/") + meeting.get_absolute_url()
    preferences = settings.SITE_URL.rstrip("/") + reverse("mailings:preferences")
    apologised = Reply.objects.filter(meeting=meeting, answer=Reply.Answer.APOLOGIES)
    rows = (body_memberships(meeting.body).exclude(user__mail_preferences__branch_mail=False)
            .exclude(user_id__in=apologised.values("user_id"))
            .order_by("user_id").values_list("user_id", "user__email", "first_name"))
    people: dict[int, tuple[str, str]] = {}
    for user_id, email, first_name in rows:
        if email and user_id not in people:
            people[user_id] = (email, first_name)
    versions = dict(MailPreferences.objects.filter(user_id__in=list(people))
                    .values_list("user_id", "version"))
    for user_id, (email, first_name) in people.items():
        link = unsubscribe_url(user_id, versions.get(user_id, 0))
        body = render_to_string("meetings/email/reminder.txt", {
            "meeting": meeting, "first_name": first_name, "url": url, "unsubscribe": link,
            "preferences": preferences, "ORGANISATION_NAME": settings.ORGANISATION_NAME})
        yield Draft(to=email, subject=subject, body=body, purpose=REMINDER_PURPOSE,
                    key=f"{REMINDER_PURPOSE}:{meeting.pk}:{user_id}",
                    headers={"List-Unsubscribe": f"<{link}>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def meeting_send_reminder(*, by: Actor, meeting: Meeting) -> int:
    """Remind the body's members of the meeting; returns how many were queued.

    Not a notice the rules require: it leaves out members who turned off their
    branch's other e-mail, and those who sent apologies. One reminder per member
    and meeting (a key each), so a second click queues nothing.

    Raises:
        PermissionRefused: ``by`` may not call the body's meetings.
        Refusal: the meeting is over, or its notice has not been sent yet.
    """
    if not can_call_meeting(by, meeting.body):
        raise PermissionRefused("Only the body's secretary or chair sends reminders.")
    if meeting.status == Meeting.Status.CLOSED:
        raise Refusal("This meeting is over: call a new one.", code="meeting_closed")
    if meeting.notice_sent_at is None:
        raise Refusal("Send the notice first: a reminder follows it.", code="no_notice")
    with transaction.atomic():
        return outbox_enqueue_many(_reminders(meeting))


def meeting_reply(*, by: Actor, meeting: Meeting, answer: str) -> Reply:
    """Record that ``by`` is coming, or sends apologies; a later answer replaces the first.

    Raises:
        NotFound: ``by`` is not a member of the meeting's body in good standing.
        Refusal: an unknown answer, or the meeting is over.
    """
    if answer not in Reply.Answer.values:
        raise Refusal("Choose whether you are coming or sending apologies.", code="bad_answer",
                      field="answer")
    if not isinstance(by, User) or membership_in(by, meeting.body) is None:
        raise NotFound("Only members of the body in good standing reply to its meetings.")
    if meeting.status == Meeting.Status.CLOSED:
        raise Refusal("This meeting is over.", code="meeting_closed")
    reply, _ = Reply.objects.update_or_create(
        meeting=meeting, user=by, defaults={"answer": answer, "at": timezone.now()})
    return reply


def group_join(*, by: Actor, group: Body) -> GroupMember:
    """``by`` joins ``group`` (one click); joining twice is the same as once.

    Raises:
        NotFound: no such group.
        PermissionRefused: ``by`` holds no membership in good standing.
    """
    if group.kind != Body.Kind.GROUP:
        raise NotFound("There is no such group.")
    if not isinstance(by, User):
        raise PermissionRefused("Log in to join a group.")
    if not Membership.objects.filter(user=by, status__in=GOOD_STANDING).exists():
        raise PermissionRefused("Only members in good standing join groups.")
    try:
        with transaction.atomic():
            joined, _ = GroupMember.objects.get_or_create(
                group=group, user=by, defaults={"joined_at": timezone.now()})
    except IntegrityError:  # joined meanwhile from another tab
        joined = GroupMember.objects.get(group=group, user=by)
    return joined


def group_leave(*, by: Actor, group: Body) -> None:
    """``by`` leaves ``group``; leaving a group one is not in changes nothing."""
    if not isinstance(by, User):
        raise Conflict("Log in to leave a group.")
    GroupMember.objects.filter(group=group, user=by).delete()
