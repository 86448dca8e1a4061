"""Check-in at the door: search, codes, standing, twice, check-out, presence."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from rankfile.accounts.models import Role
from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.meetings.models import Attendance, MeetingRules, Reply
from rankfile.meetings.services.door import (
    attendee_check_in,
    attendee_check_out,
    checkin_token,
    door_search,
    meeting_presence,
)
from rankfile.meetings.tests.helpers import chingford_meeting, members, officer
from rankfile.membership.models import Membership
from rankfile.membership.tests.race import needs_postgresql, race


@pytest.fixture
def door(area):
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    return chingford_meeting(area), teller


def ref(user):
    return Membership.objects.get(user=user).reference


def test_it_finds_the_body_members_and_those_coming_never_anyone_else(area, door):
    meeting, teller = door
    (ours,) = members(area, 1)
    hp_coming, hp_not = members(area, 2, branch=area.other_branch, prefix="hp")
    # Said they are coming (a member of another branch, invited by the secretary).
    Reply.objects.create(meeting=meeting, user=hp_coming, answer="coming", at=timezone.now())

    by_name = door_search(by=teller, meeting=meeting, query="Name")
    by_number = door_search(by=teller, meeting=meeting, query=ref(hp_not))
    by_postcode = door_search(by=teller, meeting=meeting, query="e47aa")

    assert {ours.pk, hp_coming.pk} == {f.membership.user_id for f in by_name}
    assert [] == by_number
    # A postcode typed without its space finds those there (E4 7AA), only in the pool.
    assert {ours.pk, hp_coming.pk} == {f.membership.user_id for f in by_postcode}
    standings = {f.membership.user_id: f.standing for f in by_name}
    assert Attendance.Standing.VOTING == standings[ours.pk]
    assert Attendance.Standing.OTHER_BODY == standings[hp_coming.pk]


def test_it_says_why_a_lapsed_member_may_not_vote(area, door):
    meeting, teller = door
    (lapsed,) = members(area, 1)
    Membership.objects.filter(user=lapsed).update(status=Membership.Status.LAPSED)

    checked = attendee_check_in(by=teller, meeting=meeting, reference=ref(lapsed))

    assert Attendance.Standing.NOT_VOTING == checked.attendance.standing
    assert "Lapsed" in checked.attendance.reason


def test_it_refuses_bad_searches_and_non_tellers(area, door, member):
    meeting, teller = door
    for query in ("", "a", "x\x00y", "\u202eab"):
        with pytest.raises(Refusal):
            door_search(by=teller, meeting=meeting, query=query)
    with pytest.raises(PermissionRefused):
        door_search(by=member, meeting=meeting, query="Mo")


def test_checking_in_twice_makes_one_attendance(area, door):
    meeting, teller = door
    (mo,) = members(area, 1)

    first = attendee_check_in(by=teller, meeting=meeting, reference=ref(mo))
    second = attendee_check_in(by=teller, meeting=meeting, reference=ref(mo))

    assert (True, False) == (first.created, second.created)
    assert 1 == Attendance.objects.count()


def test_a_signed_code_checks_in_and_an_expired_or_forged_one_does_not(area, door):
    meeting, teller = door
    (mo,) = members(area, 1)
    token = checkin_token(Membership.objects.get(user=mo))

    with pytest.raises(Refusal) as forged:
        attendee_check_in(by=teller, meeting=meeting, token=token[:-2] + "xx")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)), pytest.raises(Refusal) as old:
        attendee_check_in(by=teller, meeting=meeting, token=token)
    checked = attendee_check_in(by=teller, meeting=meeting, token=token)

    assert ("bad_token", "token_expired") == (forged.value.code, old.value.code)
    assert Attendance.Standing.VOTING == checked.attendance.standing


def test_a_guest_is_recorded_by_name(area, door):
    meeting, teller = door

    guest = attendee_check_in(by=teller, meeting=meeting, guest_name="Gita Guest")
    with pytest.raises(Refusal):
        attendee_check_in(by=teller, meeting=meeting, guest_name="\x00")

    assert (Attendance.Standing.GUEST, "Gita Guest") == (guest.attendance.standing,
                                                         guest.attendance.guest_name)


def test_an_unknown_reference_is_not_found(area, door):
    meeting, teller = door
    (hp,) = members(area, 1, branch=area.other_branch, prefix="hp")

    with pytest.raises(NotFound):
        attendee_check_in(by=teller, meeting=meeting, reference=ref(hp))


def test_check_out_keeps_presence_and_quorum_true(area, door):
    meeting, teller = door
    MeetingRules.objects.create(body=area.branch, quorum=2)
    a, b = members(area, 2)
    attendee_check_in(by=teller, meeting=meeting, reference=ref(a))
    leaving = attendee_check_in(by=teller, meeting=meeting, reference=ref(b)).attendance
    attendee_check_in(by=teller, meeting=meeting, guest_name="Gita")
    before = meeting_presence(meeting)

    attendee_check_out(by=teller, meeting=meeting, attendance_id=leaving.pk)
    with pytest.raises(Conflict):
        attendee_check_out(by=teller, meeting=meeting, attendance_id=leaving.pk)

    after = meeting_presence(meeting)
    assert (3, 2, True) == (before.present, before.voting, before.quorate)
    assert (2, 1, False) == (after.present, after.voting, after.quorate)
    attendee_check_in(by=teller, meeting=meeting, reference=ref(b))
    assert 2 == meeting_presence(meeting).voting


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_tellers_checking_one_person_in_at_once_make_one_row(area):
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    other = officer("teller2@example.org", Role.Kind.TELLER, area.branch)
    meeting = chingford_meeting(area)
    (mo,) = members(area, 1)
    reference = ref(mo)

    first, second = race(
        lambda: attendee_check_in(by=teller, meeting=meeting, reference=reference),
        lambda: attendee_check_in(by=other, meeting=meeting, reference=reference))

    assert (None, None) == (first.error, second.error)
    assert {True, False} == {first.result.created, second.result.created}
    assert 1 == Attendance.objects.filter(meeting=meeting).count()


def test_a_group_meeting_finds_each_member_once_and_no_one_outside_it(area):
    from rankfile.branches.models import Body
    from rankfile.meetings.models import GroupMember
    from rankfile.meetings.services.calling import meeting_call

    groups = [Body.objects.create(kind=Body.Kind.GROUP, name=f"Group {n}", code=f"G-{n}",
                                  parent=area.organisation) for n in range(3)]
    teller = officer("gteller@example.org", Role.Kind.TELLER, groups[0])
    secretary = officer("gsec@example.org", Role.Kind.SECRETARY, groups[0])
    meeting = meeting_call(by=secretary, body=groups[0], title="Rent strike", place="Cafe",
                           starts_at=timezone.now() + dt.timedelta(days=8)).meeting
    joined, coming, other = members(area, 3)
    now = timezone.now()
    # In every group, and coming too: one row, not one per group.
    GroupMember.objects.bulk_create([GroupMember(group=g, user=joined, joined_at=now)
                                     for g in groups])
    GroupMember.objects.create(group=groups[1], user=other, joined_at=now)
    Reply.objects.create(meeting=meeting, user=joined, answer="coming", at=now)
    Reply.objects.create(meeting=meeting, user=coming, answer="coming", at=now)

    found = door_search(by=teller, meeting=meeting, query="Name")

    assert sorted([joined.pk, coming.pk]) == sorted(f.membership.user_id for f in found)
    assert {joined.pk: Attendance.Standing.VOTING, coming.pk: Attendance.Standing.OTHER_BODY
            } == {f.membership.user_id: f.standing for f in found}
