"""Minutes approved at the body's next meeting, and listed on the branch's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.meetings.models import Minutes, Motion
from rankfile.meetings.selectors import minutes_list_published
from rankfile.meetings.services.door import attendee_check_in, meeting_close, meeting_open
from rankfile.meetings.services.minutes import (
    minutes_draft_text,
    minutes_generate,
    minutes_publish,
    minutes_put_for_approval,
)
from rankfile.meetings.services.votes import hands_record, question_put
from rankfile.meetings.tests.helpers import chingford_meeting, in_session, members
from rankfile.membership.models import Membership


def _published(area):
    meeting, chair, teller, people = in_session(area, 3)
    minutes = minutes_publish(by=chair, minutes=minutes_generate(by=chair, meeting=meeting))
    return meeting, chair, teller, people, minutes


def _run(next_meeting, chair, teller, people, motion, *, votes_for, against):
    meeting_open(by=chair, meeting=next_meeting)
    for user in people:
        attendee_check_in(by=teller, meeting=next_meeting,
                          reference=Membership.objects.get(user=user).reference)
    question = question_put(by=chair, motion=Motion.objects.get(pk=motion.pk), method="hands")
    hands_record(by=teller, question=question, votes_for=votes_for, votes_against=against,
                 abstentions=0)


def test_the_next_meeting_approves_the_minutes_and_its_own_minutes_say_so(area):
    meeting, chair, teller, people, minutes = _published(area)
    meeting_close(by=chair, meeting=meeting)
    following = chingford_meeting(area, by=chair, days=40)

    motion = minutes_put_for_approval(by=chair, minutes=minutes)
    _run(following, chair, teller, people, motion, votes_for=3, against=0)
    minutes.refresh_from_db()
    record = minutes_draft_text(following)

    assert following == motion.meeting
    assert motion.text.startswith("That the minutes of the Branch meeting of ")
    assert motion.text.endswith("are approved as a correct record.")
    assert following == minutes.approved_by
    assert minutes.approved_at is not None
    assert f"Motion 1: {motion.title}" in record
    assert "Put by the chair: the minutes of the previous meeting." in record
    assert "Outcome: Carried." in record


def test_minutes_lost_at_the_next_meeting_stay_unapproved_and_may_be_put_again(area):
    meeting, chair, teller, people, minutes = _published(area)
    following = chingford_meeting(area, by=chair, days=40)
    motion = minutes_put_for_approval(by=chair, minutes=minutes)

    _run(following, chair, teller, people, motion, votes_for=0, against=3)
    minutes.refresh_from_db()
    again = minutes_put_for_approval(by=chair, minutes=minutes)

    assert minutes.approved_at is None
    assert Motion.Status.LOST == Motion.objects.get(pk=motion.pk).status
    assert (following, 2) == (again.meeting, again.number)


def test_minutes_are_put_for_approval_only_when_published_once_and_by_the_secretary(area):
    meeting, chair, teller, people = in_session(area, 2)
    draft = minutes_generate(by=chair, meeting=meeting)

    with pytest.raises(Conflict) as unpublished:
        minutes_put_for_approval(by=chair, minutes=draft)
    published = minutes_publish(by=chair, minutes=draft)
    with pytest.raises(Refusal) as no_meeting:
        minutes_put_for_approval(by=chair, minutes=published)
    chingford_meeting(area, by=chair, days=40)
    with pytest.raises(PermissionRefused):
        minutes_put_for_approval(by=teller, minutes=published)
    minutes_put_for_approval(by=chair, minutes=published)
    with pytest.raises(Conflict) as twice:
        minutes_put_for_approval(by=chair, minutes=published)

    assert "not_published" == unpublished.value.code
    assert "no_next_meeting" == no_meeting.value.code
    assert "already_put" == twice.value.code
    assert 1 == Motion.objects.filter(approves=published).count()


def test_published_minutes_are_listed_on_the_branch_page_for_its_members_only(area):
    meeting, chair, teller, people, minutes = _published(area)
    following = chingford_meeting(area, by=chair, days=40)
    _run(following, chair, teller, people,
         minutes_put_for_approval(by=chair, minutes=minutes), votes_for=3, against=0)
    (outsider,) = members(area, 1, branch=area.other_branch, prefix="out")
    pages = {}
    for name, user in (("member", people[0]), ("outsider", outsider), ("anonymous", None)):
        client = Client()
        if user is not None:
            client.force_login(user)
        pages[name] = client.get(f"/branches/{area.branch.code}/").content.decode()

    assert [minutes] == list(minutes_list_published(people[0], area.branch))
    assert [] == list(minutes_list_published(AnonymousUser(), area.branch))
    assert f"/meetings/{meeting.pk}/minutes/" in pages["member"]
    assert "approved" in pages["member"] and "not yet approved" not in pages["member"]
    assert f"/meetings/{meeting.pk}/minutes/" not in pages["outsider"]
    assert f"/meetings/{meeting.pk}/minutes/" not in pages["anonymous"]
    assert Minutes.objects.get().approved_by == following
