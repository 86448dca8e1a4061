"""Meetings open to the public: the page and its link previews, the calendar file, guests'
sign-up without a membership oracle, guests at the door, notices and reminders against
mail preferences, and the member's QR code with the door's camera policy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from icalendar import Calendar

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, Refusal
from rankfile.mailings.services import preferences_change
from rankfile.meetings.models import Attendance, GroupMember, Guest, Meeting
from rankfile.meetings.services.calling import (
    meeting_call,
    meeting_reply,
    meeting_send_notice,
    meeting_send_reminder,
)
from rankfile.meetings.services.door import attendee_check_in, door_guests
from rankfile.meetings.services.public import consent_wording, guest_sign_up, meeting_calendar
from rankfile.meetings.tests.helpers import chingford_meeting, members, officer
from rankfile.membership.models import Membership
from rankfile.outbox.models import OutboxMessage


def rally(area, *, public: bool = True, days: int = 6, **fields) -> Meeting:
    group = Body.objects.filter(code="G-TEN").first() or Body.objects.create(
        kind=Body.Kind.GROUP, name="Tenants Union", code="G-TEN", parent=area.organisation)
    secretary = (User.objects.filter(email="gsec@example.org").first()
                 or officer("gsec@example.org", Role.Kind.SECRETARY, group))
    data = {"title": "Rally for rent controls", "place": "Town Hall steps",
            "agenda": "Speeches, then a march.", **fields}
    return meeting_call(by=secretary, body=group, is_public=public,
                        starts_at=timezone.now() + dt.timedelta(days=days), **data).meeting


def sign_up(client: Client, meeting: Meeting, **changes: str):
    data = {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "yes", **changes}
    return client.post(meeting.get_public_url(), data)


# -- the public page -------------------------------------------------------------------------


def test_anyone_reads_a_public_meeting_with_link_previews(area, client):
    meeting = rally(area)

    page = client.get(f"/events/{meeting.pk}/")
    html = page.content.decode()

    canonical = f"{settings.SITE_URL}/events/{meeting.pk}/"
    assert 200 == page.status_code
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="Rally for rent controls">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    description = re.search(r'<meta property="og:description" content="([^"]+)">', html)
    assert description is not None
    assert "Tenants Union" in description.group(1)
    assert "Town Hall steps" in description.group(1)
    local = timezone.localtime(meeting.starts_at)
    assert f"{local:%H:%M}" in description.group(1)
    assert f"/events/{meeting.pk}/calendar.ics" in html
    assert "camera=()" in page["Permissions-Policy"]


def test_a_private_meetings_public_address_answers_like_a_missing_one(area, client):
    private = chingford_meeting(area)
    missing = private.pk + 1000

    answers = [client.get(f"/events/{pk}/") for pk in (private.pk, missing)]
    posts = [client.post(f"/events/{pk}/", {"name": "Ada", "email": "ada@example.org",
                                             "consent": "yes"}) for pk in (private.pk, missing)]
    calendars = [client.get(f"/events/{pk}/calendar.ics") for pk in (private.pk, missing)]

    for pair in (answers, posts, calendars):
        assert [404, 404] == [r.status_code for r in pair]
        first, second = (r.content.decode().replace(str(private.pk), "N").replace(
            str(missing), "N") for r in pair)
        assert first == second
    assert 0 == Guest.objects.count()


# -- calendar files --------------------------------------------------------------------------


def _event(data: bytes):
    return next(c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT")


def test_the_calendar_file_has_a_stable_uid_utc_times_a_place_and_the_url(area, client):
    meeting = rally(area, online_link="https://meet.example.org/rally")

    first = client.get(f"/events/{meeting.pk}/calendar.ics")
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at + dt.timedelta(hours=1), title="Rally (moved)")
    meeting.refresh_from_db()
    second = client.get(f"/events/{meeting.pk}/calendar.ics")

    assert first["Content-Type"].startswith("text/calendar")
    assert "attachment" in first["Content-Disposition"]
    one, two = _event(first.content), _event(second.content)
    assert str(one["uid"]) == str(two["uid"])
    assert one.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert b"DTSTART:" in first.content and b"Z\r\n" in first.content
    assert meeting.starts_at.replace(microsecond=0) == two.decoded("dtstart")
    assert two.decoded("dtend") - two.decoded("dtstart") == dt.timedelta(hours=2)
    assert "Town Hall steps" == str(two["location"])
    assert f"{settings.SITE_URL}/events/{meeting.pk}/" == str(two["url"])
    assert "Rally (moved)" == str(two["summary"])
    assert "https://meet.example.org/rally" in str(two["description"])


def test_an_online_meeting_gives_its_link_as_the_location(area):
    meeting = rally(area, place="", online_link="https://meet.example.org/x")

    assert "https://meet.example.org/x" == str(_event(meeting_calendar(meeting))["location"])


def test_members_download_their_own_meetings_calendar_and_no_one_elses(area, client):
    meeting = chingford_meeting(area)
    (mo,) = members(area, 1)
    (hal,) = members(area, 1, branch=area.other_branch, prefix="hp")

    client.force_login(mo)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    mine = client.get(f"/meetings/{meeting.pk}/calendar.ics")
    client.force_login(hal)
    theirs = client.get(f"/meetings/{meeting.pk}/calendar.ics")

    assert f"/meetings/{meeting.pk}/calendar.ics" in page
    assert 200 == mine.status_code
    assert f"{settings.SITE_URL}/meetings/{meeting.pk}/" == str(_event(mine.content)["url"])
    assert 404 == theirs.status_code
    assert 302 == Client().get(f"/meetings/{meeting.pk}/calendar.ics").status_code


# -- guests' sign-up -------------------------------------------------------------------------


def test_a_guest_signs_up_with_their_consent_recorded_with_its_wording_and_time(area, client):
    meeting = rally(area)

    answer = sign_up(client, meeting, consent="no")
    page = client.get(answer["Location"]).content.decode()

    guest = Guest.objects.get()
    assert 302 == answer.status_code
    assert "you are on the list of guests" in page
    assert ("Ada Lovelace", "ada@example.org", False) == (
        guest.name, guest.email, guest.consent_to_contact)
    assert consent_wording() == guest.consent_wording
    assert abs(guest.signed_up_at - timezone.now()) < dt.timedelta(seconds=30)
    message = OutboxMessage.objects.get(purpose="meeting_guest")
    assert "ada@example.org" == message.to
    assert "Rally for rent controls" in message.body
    assert "You said we may not contact you" in message.body


def test_signing_up_again_updates_the_answer_and_sends_nothing_more(area, client):
    meeting = rally(area)

    sign_up(client, meeting, consent="no")
    sign_up(client, meeting, consent="yes", name="Ada King", email="ADA@EXAMPLE.ORG")

    guest = Guest.objects.get()
    assert (True, "Ada King") == (guest.consent_to_contact, guest.name)
    assert 1 == OutboxMessage.objects.filter(purpose="meeting_guest").count()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"name": ""}, "name", "Enter your name."),
    ({"name": "Ada\u202eecalevol"}, "name", "Remove the control characters from the name."),
    ({"email": "not-an-address"}, "email", "Enter an e-mail address like name@example.org."),
    ({"email": ""}, "email", "Enter your e-mail address."),
    ({"consent": ""}, "consent", "Say whether we may contact you: yes or no."),
    ({"consent": "maybe"}, "consent", "Say whether we may contact you: yes or no."),
])
def test_bad_sign_ups_are_told_precisely_and_change_nothing(area, client, changes, field, words):
    meeting = rally(area)

    answer = sign_up(client, meeting, **changes)

    assert 400 == answer.status_code
    assert words in answer.content.decode()
    assert 0 == Guest.objects.count()
    assert 0 == OutboxMessage.objects.count()


def test_a_nul_byte_in_a_sign_up_is_refused_with_a_4xx(area, client):
    meeting = rally(area)

    answer = sign_up(client, meeting, name="Ada\x00")

    assert 400 == answer.status_code
    assert 0 == Guest.objects.count()


def test_sign_up_closes_when_the_meeting_is_over(area):
    meeting = rally(area)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    meeting.refresh_from_db()

    with pytest.raises(Refusal):
        guest_sign_up(meeting=meeting, name="Ada", email="ada@example.org", consent=True)
    with pytest.raises(NotFound):
        guest_sign_up(meeting=chingford_meeting(area), name="Ada", email="ada@example.org",
                      consent=True)

    assert 0 == Guest.objects.count()


def test_sign_up_is_rate_limited_per_connection(area, client, settings):
    settings.RATELIMIT_EXEMPT_IPS = []
    meeting = rally(area)
    for n in range(20):
        sign_up(client, meeting, email=f"g{n}@example.org")

    refused = sign_up(client, meeting, email="late@example.org")

    assert 429 == refused.status_code
    assert "Too many attempts" in refused.content.decode()
    assert not Guest.objects.filter(email="late@example.org").exists()


def _sql(queries: CaptureQueriesContext) -> list[str]:
    return [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"|%s", "?", q["sql"]) for q in queries]


def test_sign_up_does_not_reveal_whether_an_address_is_a_members(area, client):
    meeting = rally(area)
    (mo,) = members(area, 1)  # m0@example.org: a member in good standing
    assert Membership.objects.filter(user__email="m0@example.org").exists()

    answers, work = [], []
    for email in ("m0@example.org", "stranger@example.org"):
        with CaptureQueriesContext(connection) as queries:
            answer = sign_up(Client(), meeting, email=email, name="Sam Same")
        answers.append(answer)
        work.append(_sql(queries))

    assert [302, 302] == [a.status_code for a in answers]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert work[0] == work[1], "\n".join(
        f"{a}\n  vs {b}" for a, b in zip(work[0], work[1], strict=False) if a != b)
    sent = {m.to: m for m in OutboxMessage.objects.all()}
    assert {"m0@example.org", "stranger@example.org"} == set(sent)
    assert sent["m0@example.org"].subject == sent["stranger@example.org"].subject
    assert sent["m0@example.org"].body == sent["stranger@example.org"].body
    follow = [_page_text(Client().get(a["Location"])) for a in answers]
    assert follow[0] == follow[1]


def _page_text(answer) -> str:
    """A page without what differs from one visitor to the next (CSRF token, CSP nonce)."""
    html = answer.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


# -- the door --------------------------------------------------------------------------------


def test_the_door_finds_this_meetings_guests_by_name_and_checks_them_in_once(area):
    meeting = rally(area)
    other = rally(area, days=9, title="Another rally")
    teller = officer("teller@example.org", Role.Kind.TELLER, meeting.body)
    guest_sign_up(meeting=meeting, name="Ada Lovelace", email="ada@example.org", consent=True)
    guest_sign_up(meeting=other, name="Adam Other", email="adam@example.org", consent=False)

    by_first = door_guests(by=teller, meeting=meeting, query="ad")
    by_last = door_guests(by=teller, meeting=meeting, query="Love")
    by_both = door_guests(by=teller, meeting=meeting, query="ada love")
    by_email = door_guests(by=teller, meeting=meeting, query="ada@example.org")
    guest = by_first[0].guest
    first = attendee_check_in(by=teller, meeting=meeting, guest_id=guest.pk)
    again = attendee_check_in(by=teller, meeting=meeting, guest_id=guest.pk)

    assert ["Ada Lovelace"] == [g.guest.name for g in by_first]
    assert ["Ada Lovelace"] == [g.guest.name for g in by_last] == [g.guest.name for g in by_both]
    assert [] == by_email
    assert (True, False) == (first.created, again.created)
    assert Attendance.Standing.GUEST == first.attendance.standing
    assert 1 == Attendance.objects.filter(meeting=meeting, guest=guest).count()
    with pytest.raises(NotFound):
        attendee_check_in(by=teller, meeting=other, guest_id=guest.pk)


def test_the_door_page_lists_guests_who_signed_up(area, client):
    meeting = rally(area)
    teller = officer("teller@example.org", Role.Kind.TELLER, meeting.body)
    guest_sign_up(meeting=meeting, name="Ada Lovelace", email="ada@example.org", consent=True)
    client.force_login(teller)

    found = client.get(f"/meetings/{meeting.pk}/door/?q=Ada").content.decode()
    checked = client.post(f"/meetings/{meeting.pk}/door/",
                          {"guest": str(Guest.objects.get().pk)}).content.decode()
    bad = client.post(f"/meetings/{meeting.pk}/door/", {"guest": "99999999999999999999"})

    assert "Guests who signed up" in found
    assert "Ada Lovelace" in found
    assert "ada@example.org" not in found
    assert "Guest (signed up): may attend, may not vote." in checked
    assert 400 == bad.status_code  # no such guest: the reason, and nothing written


guest_names = st.from_regex(r"[A-Z][a-z]{2,10} [A-Z][a-z]{2,12}", fullmatch=True)


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=guest_names, cut=st.integers(min_value=2, max_value=12))
def test_a_guest_is_found_by_any_prefix_of_either_name(area, name, cut):
    meeting = Meeting.objects.filter(is_public=True).first() or rally(area)
    teller = (User.objects.filter(email="teller@example.org").first()
              or officer("teller@example.org", Role.Kind.TELLER, meeting.body))
    Guest.objects.all().delete()
    guest_sign_up(meeting=meeting, name=name, email="g@example.org", consent=True)
    first, last = name.split()

    for query in (first[:cut], last[:cut], f"{first[:cut]} {last[:cut]}"):
        if len(query) >= 2:
            assert [name] == [g.guest.name for g in door_guests(by=teller, meeting=meeting,
                                                                 query=query)]


# -- notices and reminders against mail preferences ----------------------------------------


def test_the_notice_reaches_members_who_turned_off_branch_mail_and_a_reminder_does_not(area):
    meeting = chingford_meeting(area)
    stays, leaves, sorry = members(area, 3)
    preferences_change(user=leaves, by=leaves, branch_mail=False)
    chair = meeting.called_by

    with pytest.raises(Refusal):
        meeting_send_reminder(by=chair, meeting=meeting)  # the notice comes first
    notices = meeting_send_notice(by=chair, meeting=meeting)
    meeting_reply(by=sorry, meeting=meeting, answer="apologies")
    reminders = meeting_send_reminder(by=chair, meeting=meeting)
    again = meeting_send_reminder(by=chair, meeting=meeting)

    assert 3 == notices
    assert {stays.email, leaves.email, sorry.email} == set(
        OutboxMessage.objects.filter(purpose="meeting_notice").values_list("to", flat=True))
    assert (1, 0) == (reminders, again)
    reminder = OutboxMessage.objects.get(purpose="meeting_reminder")
    assert stays.email == reminder.to
    assert reminder.headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/")
    assert "List-Unsubscribe=One-Click" == reminder.headers["List-Unsubscribe-Post"]
    assert "notices of meetings the rules require still reach you" in reminder.body


def test_the_secretary_sends_a_reminder_from_the_meeting_page(area, client):
    meeting = chingford_meeting(area)
    members(area, 2)
    meeting_send_notice(by=meeting.called_by, meeting=meeting)
    client.force_login(meeting.called_by)

    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    answer = client.post(f"/meetings/{meeting.pk}/reminder/", follow=True)

    assert "Send a reminder" in page
    assert "Reminder queued for 2 members" in answer.content.decode()


# -- calling a public meeting, the QR code on /me/, the door's camera ----------------------


def test_the_secretary_calls_a_public_meeting_and_finds_its_public_page(area, secretary, client):
    client.force_login(secretary)

    answer = client.post("/meetings/call/WF-CHN/", {
        "title": "Open meeting", "place": "Hall", "starts_at": "2099-01-01 19:30",
        "is_public": "on"})
    meeting = Meeting.objects.get()
    page = client.get(answer["Location"]).content.decode()

    assert meeting.is_public
    assert meeting.get_public_url() in page


def test_a_member_sees_their_door_code_as_a_qr_on_me_and_it_checks_them_in(area, client):
    meeting = chingford_meeting(area)
    (mo,) = members(area, 1)
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    client.force_login(mo)

    page = client.get("/me/")
    html = page.content.decode()
    code = re.search(r'<code class="checkin-code">([^<]+)</code>', html)

    assert code is not None
    assert '<svg role="img" aria-label="QR code to check in at meetings' in html
    assert meeting.get_absolute_url() in html  # the member's next meetings
    assert "camera=()" in page["Permissions-Policy"]
    done = attendee_check_in(by=teller, meeting=meeting, token=code.group(1))
    assert mo == done.attendance.user


def test_only_the_door_may_use_the_camera(area, client):
    meeting = chingford_meeting(area)
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    client.force_login(teller)

    door = client.get(f"/meetings/{meeting.pk}/door/")
    detail = client.get(f"/meetings/{meeting.pk}/")
    public = Client().get(f"/events/{rally(area).pk}/")

    assert "camera=(self)" in door["Permissions-Policy"]
    assert "geolocation=()" in door["Permissions-Policy"]
    assert "microphone=()" in door["Permissions-Policy"]
    assert "door-scan.js" in door.content.decode()
    for other in (detail, public):
        assert "camera=()" in other["Permissions-Policy"]
        assert "camera=(self)" not in other["Permissions-Policy"]


def test_members_see_which_of_their_meetings_are_open_to_the_public(area, client):
    meeting = rally(area)
    (mo,) = members(area, 1)
    GroupMember.objects.create(group=meeting.body, user=mo, joined_at=timezone.now())
    client.force_login(mo)

    listing = client.get("/meetings/").content.decode()
    page = client.get(meeting.get_absolute_url()).content.decode()

    assert "Open to the public" in listing
    assert f'href="{meeting.get_public_url()}"' in page
