"""Meetings open to the public: their page, their calendar file, and guests' sign-up.

A meeting called ``is_public`` (a group's rally, shared as a link) has a page
anyone can read, a calendar file, and a sign-up for people who are not members:
they are recorded as ``Guest`` rows and the door finds them by name, for that
meeting only. A private meeting's public address answers exactly as a missing
one.

No membership oracle: sign-up never looks at who is a member. A member's
address and a new one get the same answer, the same row and the same e-mail
(one confirmation per address and meeting, whoever owns it), so neither the
page nor the mail says who belongs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from rankfile.core.errors import NotFound, Refusal
from rankfile.meetings.models import Guest, Meeting
from rankfile.meetings.services.text import checked_text
from rankfile.outbox.services import outbox_enqueue, outbox_render

GUEST_PURPOSE = "meeting_guest"
# Recorded with each answer, as the page shows it: change it and later answers carry the new one.
CONSENT_WORDING = ("May {organisation} contact you by e-mail about its campaigns and "
                   "future meetings? You can change your mind at any time.")
# Meetings have a start, not an end: calendars show this long.
DEFAULT_LENGTH = dt.timedelta(hours=2)


def consent_wording() -> str:
    return CONSENT_WORDING.format(organisation=settings.ORGANISATION_NAME)


def ends_at(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at + DEFAULT_LENGTH


def _address(raw: str) -> str:
    email = (raw or "").strip()
    if not email:
        raise Refusal("Enter your e-mail address.", code="required", field="email")
    if "\x00" in email or len(email) > 254:
        raise Refusal("Enter an e-mail address like name@example.org.", code="bad_email",
                      field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise Refusal("Enter an e-mail address like name@example.org.", code="bad_email",
                      field="email") from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _consent(answer: str | bool | None) -> bool:
    if answer in (True, "yes"):
        return True
    if answer in (False, "no"):
        return False
    raise Refusal("Say whether we may contact you: yes or no.", code="required",
                  field="consent")


def guest_sign_up(*, meeting: Meeting, name: str, email: str,
                  consent: str | bool | None) -> Guest:
    """Record ``name`` as a guest expected at ``meeting``, and e-mail them a confirmation.

    Signing up again with the same address updates the name and the answer
    about contact (with its wording and time) and sends nothing more.

    Raises:
        NotFound: the meeting is not open to the public.
        Refusal: a missing or unusable name or address, no answer about
            contact, or a meeting already over (the ``field`` says which).
    """
    if not meeting.is_public:
        raise NotFound("There is no such meeting.")
    name = checked_text(name, field="name", label="name", max_length=200)
    address = _address(email)
    agreed = _consent(consent)
    now = timezone.now()
    if meeting.status == Meeting.Status.CLOSED or ends_at(meeting) <= now:
        raise Refusal("This meeting is over: sign-up has closed.", code="meeting_over")
    wording = consent_wording()
    fields = {"name": name, "consent_to_contact": agreed, "consent_wording": wording,
              "signed_up_at": now}
    try:
        with transaction.atomic():
            guest, _ = Guest.objects.update_or_create(meeting=meeting, email__iexact=address,
                                                      defaults=fields,
                                                      create_defaults={**fields,
                                                                       "email": address})
            _confirm(guest)
    except IntegrityError:  # the same address signed up at the same moment from another tab
        guest = Guest.objects.get(meeting=meeting, email__iexact=address)
    return guest


def _confirm(guest: Guest) -> None:
    meeting = guest.meeting
    rendered = outbox_render(
        template="meetings/email/guest.txt", subject=f"You are signed up: {meeting.title}",
        context={"guest": guest, "meeting": meeting,
                 "url": settings.SITE_URL + meeting.get_public_url()})
    digest = hashlib.sha256(guest.email.lower().encode()).hexdigest()[:32]
    outbox_enqueue(to=guest.email, subject=rendered.subject, body=rendered.body,
                   purpose=GUEST_PURPOSE, key=f"{GUEST_PURPOSE}:{meeting.pk}:{digest}")


def meeting_calendar(meeting: Meeting) -> bytes:
    """The meeting as an iCalendar file (RFC 5545): one event, times in UTC.

    Its UID stays the same whatever changes, so a calendar updates the event
    when the file is fetched again rather than adding a second one.
    """
    from icalendar import Calendar, Event

    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "rankfile.invalid"
    url = settings.SITE_URL + (meeting.get_public_url() if meeting.is_public
                               else meeting.get_absolute_url())
    cal = Calendar()
    cal.add("prodid", f"-//{settings.ORGANISATION_NAME}//Rank and File//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", meeting.called_at.astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", ends_at(meeting).astimezone(dt.UTC))
    event.add("summary", meeting.title)
    event.add("location", meeting.place or meeting.online_link)
    event.add("url", url)
    description = meeting.agenda
    if meeting.online_link:
        description = f"Online: {meeting.online_link}\n\n{description}".strip()
    if description:
        event.add("description", description)
    event.add("organizer", f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}",
              parameters={"cn": meeting.body.name})
    cal.add_component(event)
    return cal.to_ical()
