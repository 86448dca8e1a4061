"""A meeting run end to end through its pages (the test client), and its minutes."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.utils import timezone

from rankfile.accounts.models import Role
from rankfile.meetings.models import Attendance, Minutes, Motion, Question, SecretVote
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.tests.helpers import chingford_meeting, members, officer
from rankfile.membership.models import Membership


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_meeting_runs_end_to_end_through_its_pages(area):
    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    meeting = chingford_meeting(area, by=chair, days=3, deadline_days=1)
    people = members(area, 4)
    refs = [Membership.objects.get(user=u).reference for u in people]
    motion_submit(by=people[0], meeting=meeting, title="Rent", proposer=people[0],
                  seconder=people[1], text="This branch calls for rent controls in every borough.")
    door, chairing = _as(teller), _as(chair)

    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        emergency = _as(people[2]).post(f"/meetings/{meeting.pk}/motions/new/", {
            "title": "Eviction", "text": "This branch will support the Smith family.",
            "proposer": refs[2], "seconder": refs[3], "emergency": "on",
            "urgency_reason": "The eviction is on Monday."})
        late = _as(people[2]).post(f"/meetings/{meeting.pk}/motions/new/", {
            "title": "Late", "text": "Too late.", "proposer": refs[2], "seconder": refs[3]})
    search = door.get(f"/meetings/{meeting.pk}/door/", {"q": "Name"})
    for reference in refs:
        door.post(f"/meetings/{meeting.pk}/door/", {"reference": reference})
    again = door.post(f"/meetings/{meeting.pk}/door/", {"reference": refs[0]})
    chairing.post(f"/meetings/{meeting.pk}/open/")
    rent, eviction = Motion.objects.order_by("number")
    chairing.post(f"/meetings/{meeting.pk}/put/", {"motion": eviction.pk, "method": "hands"})
    admit = Question.objects.get(kind="admit")
    door.post(f"/meetings/{meeting.pk}/questions/{admit.pk}/hands/",
              {"votes_for": "3", "votes_against": "1", "abstentions": "0"})
    _as(people[3]).post(f"/meetings/{meeting.pk}/motions/{rent.number}/amend/", {
        "kind": "replace", "target": "every borough", "new_text": "London",
        "proposer": refs[3], "seconder": refs[2]})
    amendment = rent.amendments.get()
    chairing.post(f"/meetings/{meeting.pk}/put/", {"motion": rent.pk, "amendment": amendment.pk,
                                                   "method": "hands"})
    door.post(f"/meetings/{meeting.pk}/questions/{Question.objects.get(kind='amendment').pk}"
              "/hands/", {"votes_for": "9", "votes_against": "0", "abstentions": "0"})
    chairing.post(f"/meetings/{meeting.pk}/put/", {"motion": rent.pk, "method": "secret"})
    final = Question.objects.get(kind="motion")
    for user, choice in zip(people, ["for", "for", "for", "against"], strict=True):
        _as(user).post(f"/meetings/{meeting.pk}/questions/{final.pk}/vote/", {"choice": choice})
    _as(people[0]).post(f"/meetings/{meeting.pk}/questions/{final.pk}/vote/", {"choice": "for"})
    live = chairing.get(f"/meetings/{meeting.pk}/live/").json()
    chairing.post(f"/meetings/{meeting.pk}/questions/{final.pk}/close/")
    chairing.post(f"/meetings/{meeting.pk}/minutes/", {"action": "generate"})
    chairing.post(f"/meetings/{meeting.pk}/minutes/", {"action": "publish"})
    minutes = _as(people[1]).get(f"/meetings/{meeting.pk}/minutes/").content.decode()

    assert 302 == emergency.status_code
    assert 400 == late.status_code
    assert 4 == search.content.decode().count("Voting member.")
    assert "already checked in" in again.content.decode()
    assert "camera=(self)" in again["Permissions-Policy"].split(", ")
    assert 4 == Attendance.objects.filter(meeting=meeting).count()
    assert {"present": 4, "voting": 4, "open": [{"id": final.pk, "cast": 4}]}.items() <= {
        k: live[k] for k in ("present", "voting", "open")}.items()
    final.refresh_from_db()
    assert (3, 1, True) == (final.votes_for, final.votes_against, final.carried)
    assert "This branch calls for rent controls in London." == final.text
    assert 4 == SecretVote.objects.count()
    assert "more than the 4 voting members present" in Question.objects.get(
        kind="amendment").warning
    assert Minutes.objects.get().published_at is not None
    for shown in ("Emergency motion 2: Eviction", "The eviction is on Monday.",
                  "Replace “every borough” with “London”", "Secret electronic vote: 3 for, 1 against",
                  "Final text: This branch calls for rent controls in London.", "4 voting members"):
        assert shown in minutes


def test_the_door_and_chair_pages_are_for_their_officers(area):
    meeting = chingford_meeting(area)
    (mo,) = members(area, 1)
    member = _as(mo)

    assert 404 == member.get(f"/meetings/{meeting.pk}/door/").status_code
    assert 404 == member.get(f"/meetings/{meeting.pk}/chair/").status_code
    assert 404 == member.get(f"/meetings/{meeting.pk}/minutes/").status_code
    assert 404 == member.post(f"/meetings/{meeting.pk}/minutes/", {"action": "generate"}).status_code
    assert 405 == member.get(f"/meetings/{meeting.pk}/put/").status_code
    assert 0 == Minutes.objects.count()


def test_hostile_input_at_the_door_and_the_chair_answers_400_or_back_and_changes_nothing(area):
    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    meeting = chingford_meeting(area, by=chair)
    members(area, 1)
    door = _as(teller)

    answers = [
        door.get(f"/meetings/{meeting.pk}/door/", {"q": "Na\x00me"}).status_code,
        door.get(f"/meetings/{meeting.pk}/door/", {"q": "\u202eName"}).status_code,
        door.post(f"/meetings/{meeting.pk}/door/", {"reference": "RF-\x00"}).status_code,
        door.post(f"/meetings/{meeting.pk}/door/", {"token": "x" * 100_000}).status_code,
        door.post(f"/meetings/{meeting.pk}/door/", {"guest_name": "\u202egen"}).status_code,
        _as(chair).post(f"/meetings/{meeting.pk}/put/", {"motion": "9" * 40}).status_code,
        _as(chair).post(f"/meetings/{meeting.pk}/motions/new/", {
            "title": "T\x00", "text": "x"}).status_code,
    ]

    assert [400, 400, 400, 400, 400, 302, 400] == answers
    assert 0 == Attendance.objects.count() == Motion.objects.count() == Question.objects.count()
