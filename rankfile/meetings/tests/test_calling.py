"""Calling a meeting, its notice through the outbox, replies and groups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rankfile.accounts.models import Role
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.meetings.models import GroupMember, Meeting, MeetingRules, Reply
from rankfile.meetings.selectors import meeting_list_upcoming
from rankfile.meetings.services.calling import (
    group_join,
    meeting_call,
    meeting_reply,
    meeting_send_notice,
)
from rankfile.meetings.tests.helpers import chingford_meeting, members, officer, voting_categories
from rankfile.membership.models import Membership
from rankfile.outbox.models import OutboxMessage


def test_it_warns_when_notice_is_shorter_than_the_rules(area):
    MeetingRules.objects.create(body=area.branch, notice_days=7)
    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)

    soon = meeting_call(by=chair, body=area.branch, title="Emergency", place="Hall",
                        starts_at=timezone.now() + dt.timedelta(days=2))
    later = meeting_call(by=chair, body=area.branch, title="AGM", place="Hall",
                         starts_at=timezone.now() + dt.timedelta(days=8))

    assert "require 7 days' notice" in soon.warning
    assert "" == later.warning


@pytest.mark.parametrize(("field", "value"), [
    ("title", ""), ("title", "Bad\x00title"), ("title", "Evil\u202etitle"), ("place", ""),
    ("online_link", "javascript:alert(1)"), ("title", "x" * 201)])
def test_it_refuses_bad_input_and_writes_nothing(area, field, value):
    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    data = {"title": "Meeting", "place": "Hall", "online_link": "",
            "starts_at": timezone.now() + dt.timedelta(days=9), field: value}

    with pytest.raises(Refusal) as refused:
        meeting_call(by=chair, body=area.branch, **data)

    assert field == refused.value.field
    assert 0 == Meeting.objects.count()


def test_it_refuses_a_meeting_in_the_past_and_a_caller_without_a_role(area, member):
    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    with pytest.raises(Refusal):
        meeting_call(by=chair, body=area.branch, title="Late", place="Hall",
                     starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(PermissionRefused):
        meeting_call(by=member, body=area.branch, title="Mine", place="Hall",
                     starts_at=timezone.now() + dt.timedelta(days=9))
    other = officer("hp@example.org", Role.Kind.SECRETARY, area.other_branch)
    with pytest.raises(PermissionRefused):
        meeting_call(by=other, body=area.branch, title="Theirs", place="Hall",
                     starts_at=timezone.now() + dt.timedelta(days=9))


def test_it_sends_the_notice_once_to_members_in_good_standing_only(area, supporter):
    meeting = chingford_meeting(area)
    people = members(area, 3)
    Membership.objects.filter(user=people[2]).update(status=Membership.Status.LAPSED)
    members(area, 2, branch=area.other_branch, prefix="hp")

    sent = meeting_send_notice(by=meeting.called_by, meeting=meeting)
    again = meeting_send_notice(by=meeting.called_by, meeting=meeting)

    assert 2 == sent
    assert 0 == again
    assert {"m0@example.org", "m1@example.org"} == set(
        OutboxMessage.objects.filter(purpose="meeting_notice").values_list("to", flat=True))
    assert "Chingford Assembly Hall" in OutboxMessage.objects.get(to="m0@example.org").body
    meeting.refresh_from_db()
    assert meeting.notice_sent_at is not None


def test_it_refuses_notice_from_a_member(area, member):
    meeting = chingford_meeting(area)

    with pytest.raises(PermissionRefused):
        meeting_send_notice(by=member, meeting=meeting)

    assert 0 == OutboxMessage.objects.count()


def test_it_records_apologies_then_coming(area):
    meeting = chingford_meeting(area)
    (mo,) = members(area, 1)

    meeting_reply(by=mo, meeting=meeting, answer="apologies")
    meeting_reply(by=mo, meeting=meeting, answer="coming")

    assert ["coming"] == list(Reply.objects.values_list("answer", flat=True))


def test_it_refuses_a_reply_from_another_branch_or_a_bad_answer(area):
    meeting = chingford_meeting(area)
    (hal,) = members(area, 1, branch=area.other_branch, prefix="hp")
    (mo,) = members(area, 1)

    with pytest.raises(NotFound):
        meeting_reply(by=hal, meeting=meeting, answer="coming")
    with pytest.raises(Refusal):
        meeting_reply(by=mo, meeting=meeting, answer="maybe\x00")

    assert 0 == Reply.objects.count()


def test_a_member_joins_a_group_in_one_click_and_sees_its_meetings(area, client):
    voting_categories()
    group = Body.objects.create(kind=Body.Kind.GROUP, name="Tenants Union", code="G-TEN",
                                parent=area.organisation)
    (mo,) = members(area, 1)
    secretary = officer("gsec@example.org", Role.Kind.SECRETARY, group)
    meeting = meeting_call(by=secretary, body=group, title="Rent strike", place="Cafe",
                           starts_at=timezone.now() + dt.timedelta(days=8)).meeting
    assert meeting not in meeting_list_upcoming(mo)

    client.force_login(mo)
    response = client.post("/groups/G-TEN/join/")
    client.post("/groups/G-TEN/join/")

    assert 302 == response.status_code
    assert 1 == GroupMember.objects.filter(group=group, user=mo).count()
    assert meeting in meeting_list_upcoming(mo)
    assert 1 == meeting_send_notice(by=secretary, meeting=meeting)


def test_it_refuses_to_join_a_branch_as_a_group(area, member):
    with pytest.raises(NotFound):
        group_join(by=member, group=area.branch)


def test_members_see_their_branch_meeting_from_their_home(area, client):
    meeting = chingford_meeting(area)
    (mo,) = members(area, 1)
    client.force_login(mo)

    home = client.get("/me/").content.decode()
    front = client.get("/").content.decode()
    listing = client.get("/meetings/").content.decode()
    page = client.get(f"/meetings/{meeting.pk}/")

    assert "/meetings/" in home
    assert meeting.get_absolute_url() in front
    assert meeting.get_absolute_url() in listing
    assert 200 == page.status_code
    assert "I&#x27;m coming" in page.content.decode() or "I'm coming" in page.content.decode()


def test_a_meeting_of_another_branch_is_not_found(area, client):
    meeting = chingford_meeting(area)
    (hal,) = members(area, 1, branch=area.other_branch, prefix="hp")
    client.force_login(hal)

    assert 404 == client.get(f"/meetings/{meeting.pk}/").status_code
    assert 404 == client.post(f"/meetings/{meeting.pk}/reply/", {"answer": "coming"}).status_code
    assert 405 == client.get(f"/meetings/{meeting.pk}/reply/").status_code


def test_the_secretary_calls_a_meeting_through_the_form(area, secretary, client):
    client.force_login(secretary)

    bad = client.post("/meetings/call/WF-CHN/", {"title": "", "place": "Hall",
                                                 "starts_at": "2099-01-01 19:30"})
    good = client.post("/meetings/call/WF-CHN/", {"title": "Branch", "place": "Hall",
                                                  "starts_at": "2099-01-01 19:30"})

    assert 400 == bad.status_code
    assert "Enter the title." in bad.content.decode()
    assert 302 == good.status_code
    assert 1 == Meeting.objects.count()
