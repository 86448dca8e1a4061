"""The demo's meetings: a Chingford branch meeting a few days ahead with a motion and an
emergency motion, a group with its own meeting, and a chair and a teller login."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body
from rankfile.branches.selectors import organisation_get
from rankfile.demo import PASSWORD, SEED
from rankfile.demo.logins import BRANCH, MEMBER, SECRETARY, _member
from rankfile.meetings.models import Meeting, MeetingRules
from rankfile.meetings.services.calling import group_join, meeting_call, meeting_reply
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.public import guest_sign_up

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

CHAIR = "chair.chingford@demo.rankfile.org"
TELLER = "teller.chingford@demo.rankfile.org"
GROUP = "G-CHN-TENANTS"

LOGINS = (
    (CHAIR, "chair of the Chingford branch: runs its meeting (/meetings/, the chair's page)"),
    (TELLER, "a teller of the Chingford branch: checks people in at the door"),
)


def is_loaded() -> bool:
    return Meeting.objects.filter(body__code=BRANCH).exists()


def _login(email: str, first: str, last: str, kind: str, body: Body, since: dt.date) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, first_name=first, last_name=last)
        Role.objects.create(user=user, kind=kind, body=body, starts_on=since, note="Demo login")
    return user


def load(ctx: DemoContext) -> None:
    rng = random.Random(SEED + 5)
    org = organisation_get()
    assert org is not None, "the demo's places are loaded first"
    branch = Body.objects.get(code=BRANCH)
    since = timezone.localdate(ctx.now) - dt.timedelta(days=365)
    chair = _login(CHAIR, "Chris", "Chair", Role.Kind.CHAIR, branch, since)
    if not chair.memberships.exists():
        _member(ctx, rng, chair, branch, years=6)
    _login(TELLER, "Tess", "Teller", Role.Kind.TELLER, branch, since)
    secretary = User.objects.get(email=SECRETARY)
    member = User.objects.get(email=MEMBER)
    MeetingRules.objects.get_or_create(body=branch, defaults={"notice_days": 3, "quorum": 10})

    starts = (ctx.now + dt.timedelta(days=4)).replace(hour=19, minute=30, second=0, microsecond=0)
    meeting = meeting_call(
        by=chair, body=branch, title="Chingford branch meeting", starts_at=starts,
        place="Chingford Assembly Hall, Station Road", motions_deadline=ctx.now + dt.timedelta(hours=1),
        agenda="1. Apologies\n2. Minutes of the last meeting\n3. Motions\n4. Emergency motion\n"
               "5. Any other business").meeting
    motion_submit(by=secretary, meeting=meeting, title="Rent controls",
                  text="This branch calls on the council to introduce rent controls in every "
                       "ward of Waltham Forest.", proposer=secretary, seconder=member)
    # The deadline has now passed: what comes next is an emergency motion.
    Meeting.objects.filter(pk=meeting.pk).update(motions_deadline=ctx.now - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    motion_submit(by=member, meeting=meeting, title="Stop the Larkswood evictions",
                  text="This branch will support the families of Larkswood Road facing eviction "
                       "and will join the protest at the town hall.", proposer=member,
                  seconder=chair, emergency=True,
                  urgency_reason="The evictions were announced after the deadline and take "
                                 "place next week.")
    meeting_reply(by=member, meeting=meeting, answer="coming")

    group = Body.objects.filter(code=GROUP).first() or Body.objects.create(
        kind=Body.Kind.GROUP, name="Chingford Tenants Group", code=GROUP, parent=org)
    MeetingRules.objects.get_or_create(body=group, defaults={"notice_days": 2, "quorum": 3})
    if not Role.objects.filter(body=group, kind=Role.Kind.SECRETARY).exists():
        Role.objects.create(user=secretary, kind=Role.Kind.SECRETARY, body=group, starts_on=since,
                            note="Demo login")
    for who in (secretary, member, chair):
        group_join(by=who, group=group)
    # Open to the public: its page, calendar file and guests' sign-up are at /events/<id>/.
    rally = meeting_call(by=secretary, body=group, title="Tenants Group: organising meeting",
                         starts_at=starts + dt.timedelta(days=3),
                         place="The Royal Forest pub, back room",
                         agenda="1. Larkswood Road\n2. A rent survey of our streets",
                         is_public=True).meeting
    guest_sign_up(meeting=rally, name="Priya Neighbour", email="priya.neighbour@example.org",
                  consent="yes")


def refresh_dates(ctx: DemoContext) -> None:
    """Keep the demo's meetings a few days ahead of whenever the demo is loaded again.

    A meeting not yet opened that is less than two days away (or past) moves to four
    days from now (the branch's) and seven (the group's), at 19:30; a meeting that
    was opened or closed in the demo stays where it was.
    """
    starts = (ctx.now + dt.timedelta(days=4)).replace(hour=19, minute=30, second=0, microsecond=0)
    soon = ctx.now + dt.timedelta(days=2)
    called = Meeting.objects.filter(status=Meeting.Status.CALLED, starts_at__lt=soon)
    called.filter(body__code=BRANCH, title="Chingford branch meeting").update(starts_at=starts)
    called.filter(body__code=GROUP).update(starts_at=starts + dt.timedelta(days=3))
