"""Helpers for the selections tests: an affiliate, officers, and votes recorded at bodies'
meetings (called, opened, a motion put to a show of hands and counted)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body
from rankfile.demo.personas import Area, give_role, give_two_factor, make_member, make_user
from rankfile.meetings.models import GroupMember, Question
from rankfile.meetings.services.calling import meeting_call
from rankfile.meetings.services.door import meeting_open
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.votes import hands_record, question_put
from rankfile.membership.models import Category
from rankfile.selections.models import Selection
from rankfile.selections.services.trigger import selection_create

TRIGGER_TEXT = "That this branch calls for an open selection."


def make_affiliate(area: Area, *, code: str = "AFF-UNITE",
                   name: str = "Unite, Waltham Forest branch") -> Body:
    return Body.objects.create(kind=Body.Kind.AFFILIATE, name=name, code=code,
                               parent=area.constituency)


def officer(email: str, kind: str, body: Body) -> User:
    """An officer of ``body``, with two-factor set up as officers have."""
    user = make_user(email, first_name=kind.title(), last_name=body.code)
    give_role(user, kind, body)
    give_two_factor(user)
    return user


def sponsors(body: Body, area: Area) -> tuple[User, User]:
    """Two voting members of ``body`` (an affiliate's join it, as a group's do)."""
    Category.objects.filter(kind=Category.Kind.MEMBER).update(may_vote_in_meetings=True)
    branch = body if body.kind == Body.Kind.BRANCH else area.branch
    people = []
    for n in (1, 2):
        user = make_member(f"{body.code.lower()}-{n}@example.org", f"Name{n}", body.code, branch)
        if body.kind != Body.Kind.BRANCH:
            GroupMember.objects.create(group=body, user=user, joined_at=timezone.now())
        people.append(user)
    Category.objects.filter(kind=Category.Kind.MEMBER).update(may_vote_in_meetings=True)
    return people[0], people[1]


def put_motion(body: Body, area: Area, *, text: str = TRIGGER_TEXT,
               title: str = "Open selection") -> Question:
    """A meeting of ``body`` in session with ``text`` put to a show of hands (still open)."""
    chair = (User.objects.filter(roles__body=body, roles__kind=Role.Kind.CHAIR).first()
             or officer(f"chair.{body.code.lower()}@example.org", Role.Kind.CHAIR, body))
    known = User.objects.filter(email__startswith=f"{body.code.lower()}-").order_by("email")
    proposer, seconder = known[:2] if known.count() >= 2 else sponsors(body, area)
    meeting = meeting_call(by=chair, body=body, title=f"{body.name} meeting", place="Hall",
                           starts_at=timezone.now() + dt.timedelta(days=1)).meeting
    motion = motion_submit(by=chair, meeting=meeting, title=title, text=text, proposer=proposer,
                           seconder=seconder)
    meeting_open(by=chair, meeting=meeting)
    return question_put(by=chair, motion=motion, method="hands")


def decided(body: Body, area: Area, *, carried: bool, figures: tuple[int, int, int] | None = None,
            text: str = TRIGGER_TEXT, title: str = "Open selection") -> Question:
    """``body``'s meeting voted on ``text`` by a show of hands: carried or lost."""
    question = put_motion(body, area, text=text, title=title)
    votes_for, against, abstain = figures or ((12, 3, 1) if carried else (4, 9, 2))
    chair = User.objects.filter(roles__body=body, roles__kind=Role.Kind.CHAIR).first()
    hands_record(by=chair, question=question, votes_for=votes_for, votes_against=against,
                 abstentions=abstain)
    question.refresh_from_db()
    assert question.carried is carried
    return question


def start_trigger(area: Area, by: User, **kwargs: object) -> Selection:
    options: dict[str, object] = {
        "office": "Member of Parliament for Chingford and Woodford Green",
        "sitting_representative": "Pat Sitting",
        "trigger_deadline": timezone.now() + dt.timedelta(days=30)}
    options.update(kwargs)
    return selection_create(by=by, constituency=area.constituency, **options)  # type: ignore[arg-type]
