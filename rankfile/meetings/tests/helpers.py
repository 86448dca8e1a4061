"""Helpers for the meetings tests: a meeting of Chingford, members who may vote."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body
from rankfile.demo.personas import Area, give_role, make_member, make_user
from rankfile.meetings.models import Meeting
from rankfile.meetings.services.calling import meeting_call
from rankfile.membership.models import Category


def voting_categories() -> None:
    """Members (not supporters) vote in meetings, as the demo's categories say."""
    Category.objects.filter(kind=Category.Kind.MEMBER).update(may_vote_in_meetings=True)


def officer(email: str, kind: str, body: Body) -> User:
    user = make_user(email, first_name=kind.title(), last_name="Officer")
    give_role(user, kind, body)
    return user


def chingford_meeting(area: Area, *, by: User | None = None, days: int = 10,
                      deadline_days: int | None = 3) -> Meeting:
    by = by or officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    starts = timezone.now() + dt.timedelta(days=days)
    deadline = None if deadline_days is None else timezone.now() + dt.timedelta(days=deadline_days)
    return meeting_call(by=by, body=area.branch, title="Branch meeting", starts_at=starts,
                        place="Chingford Assembly Hall", agenda="1. Motions",
                        motions_deadline=deadline).meeting


def members(area: Area, n: int, *, branch: Body | None = None, prefix: str = "m") -> list[User]:
    voting_categories()
    made = [make_member(f"{prefix}{i}@example.org", f"Name{i}", f"Person{i}", branch or area.branch)
            for i in range(n)]
    voting_categories()
    return made


def in_session(area: Area, n: int = 4) -> tuple[Meeting, User, User, list[User]]:
    """An open Chingford meeting, its chair, a teller, and ``n`` voting members checked in."""
    from rankfile.meetings.services.door import attendee_check_in, meeting_open
    from rankfile.membership.models import Membership

    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    meeting = chingford_meeting(area, by=chair)
    people = members(area, n)
    meeting_open(by=chair, meeting=meeting)
    for user in people:
        attendee_check_in(by=teller, meeting=meeting,
                          reference=Membership.objects.get(user=user).reference)
    return meeting, chair, teller, people
