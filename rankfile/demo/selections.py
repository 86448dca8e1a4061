"""The demo's selection: a sitting representative for Chingford and Woodford Green, an
affiliated union there, and their trigger ballot in progress.

Highams Park decided at a meeting twelve days ago (a show of hands, carried: yes)
and the Unite affiliate at one nine days ago (lost: no); Chingford has not
decided yet. Its secretary links Chingford's vote once the branch has taken it,
and the outcome then follows. The meetings are run through the meetings
services like any other, then dated back into the past.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body
from rankfile.demo import PASSWORD, SEED
from rankfile.demo.logins import BRANCH, _member, load_two_factor_for
from rankfile.meetings.models import (
    Attendance,
    GroupMember,
    Meeting,
    MeetingRules,
    Motion,
    MotionVersion,
    Question,
)
from rankfile.meetings.services.calling import meeting_call
from rankfile.meetings.services.door import attendee_check_in, meeting_close, meeting_open
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.votes import hands_record, question_put
from rankfile.membership.models import GOOD_STANDING, Membership
from rankfile.selections.models import Selection
from rankfile.selections.services.trigger import decision_link, selection_create

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

CONSTITUENCY = "E14000634"  # Chingford and Woodford Green
OTHER_BRANCH = "WF-HPH"
AFFILIATE = "AFF-UNITE-CWG"
SLUG = "chingford-and-woodford-green-mp"
SITTING = "Jo Sitwell"  # fictional
CON_SECRETARY = "secretary.cwg@demo.rankfile.org"
HPH_SECRETARY = "secretary.highams@demo.rankfile.org"
UNITE_SECRETARY = "secretary.unite@demo.rankfile.org"

LOGINS = (
    (CON_SECRETARY, f"secretary of the Chingford and Woodford Green constituency: runs the "
     f"selection at /selections/{SLUG}/manage/ (two-factor with the officers' demo secret, below)"),
    (HPH_SECRETARY, "secretary of the Highams Park branch (its trigger decision is linked)"),
    (UNITE_SECRETARY, "secretary of Unite, Chingford and Woodford Green (an affiliate)"),
)
TRIGGER_MOTION = ("That this {kind} calls for an open selection for the Member of Parliament "
                  "for Chingford and Woodford Green.")


def is_loaded() -> bool:
    return Selection.objects.filter(slug=SLUG).exists()


def _secretary(ctx: DemoContext, rng: random.Random, email: str, first: str, last: str,
               body: Body, branch: Body, since: dt.date) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, first_name=first, last_name=last)
        _member(ctx, rng, user, branch, years=7)
    if not Role.objects.filter(user=user, body=body, kind=Role.Kind.SECRETARY).exists():
        Role.objects.create(user=user, kind=Role.Kind.SECRETARY, body=body, starts_on=since,
                            note="Demo login")
    return user


def _figures(present: int, carried: bool) -> tuple[int, int, int]:
    """A show of hands among ``present`` voting members that carries (or loses) the motion."""
    big = max(1, (2 * present) // 3)
    small = max(0, present - big - 1)
    abstain = max(0, present - big - small)
    return (big, small, abstain) if carried else (small, big, abstain)


def _past_vote(secretary: User, body: Body, voters: list[Membership], *, kind: str,
               carried: bool, held: dt.datetime, sponsors: tuple[User, User]) -> Question:
    """A meeting of ``body`` that voted on the trigger motion, then dated back to ``held``."""
    now = timezone.now()
    meeting = meeting_call(by=secretary, body=body, title=f"{body.name}: members' meeting",
                           starts_at=now + dt.timedelta(hours=1), place="Community hall",
                           agenda="1. Apologies\n2. Trigger ballot: open selection\n"
                                  "3. Any other business").meeting
    motion = motion_submit(by=secretary, meeting=meeting, title="Open selection",
                           text=TRIGGER_MOTION.format(kind=kind), proposer=sponsors[0],
                           seconder=sponsors[1])
    meeting_open(by=secretary, meeting=meeting)
    for membership in voters:
        attendee_check_in(by=secretary, meeting=meeting, reference=membership.reference)
    question = question_put(by=secretary, motion=motion, method=Question.Method.HANDS)
    hands_record(by=secretary, question=question, **dict(zip(
        ("votes_for", "votes_against", "abstentions"), _figures(len(voters), carried),
        strict=True)))
    meeting_close(by=secretary, meeting=meeting)
    shift = held - meeting.starts_at
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=held, called_at=held - dt.timedelta(days=14))
    Motion.objects.filter(pk=motion.pk).update(submitted_at=held - dt.timedelta(days=10))
    MotionVersion.objects.filter(motion=motion).update(at=held - dt.timedelta(days=10))
    for model, fields in ((Attendance, ("checked_in_at",)), (Question, ("opened_at", "closed_at"))):
        for row in model.objects.filter(meeting=meeting):
            for name in fields:
                setattr(row, name, getattr(row, name) + shift)
            row.save(update_fields=fields)
    question.refresh_from_db()
    return question


def load(ctx: DemoContext) -> None:
    rng = random.Random(SEED + 11)
    constituency = Body.objects.get(code=CONSTITUENCY)
    highams = Body.objects.get(code=OTHER_BRANCH)
    chingford = Body.objects.get(code=BRANCH)
    since = timezone.localdate(ctx.now) - dt.timedelta(days=365)
    affiliate = Body.objects.filter(code=AFFILIATE).first() or Body.objects.create(
        kind=Body.Kind.AFFILIATE, name="Unite, Chingford and Woodford Green", code=AFFILIATE,
        parent=constituency, contact_email="unite.cwg@demo.rankfile.org")
    con_secretary = _secretary(ctx, rng, CON_SECRETARY, "Connie", "Stituency", constituency,
                               chingford, since)
    hph_secretary = _secretary(ctx, rng, HPH_SECRETARY, "Hal", "Highams", highams, highams,
                               since)
    unite_secretary = _secretary(ctx, rng, UNITE_SECRETARY, "Una", "Unite", affiliate, highams,
                                 since)
    load_two_factor_for([con_secretary, hph_secretary, unite_secretary])
    for body in (highams, affiliate):
        MeetingRules.objects.get_or_create(body=body, defaults={"notice_days": 7, "quorum": 3})

    voting = (Membership.objects.filter(status__in=GOOD_STANDING,
                                        category__may_vote_in_meetings=True)
              .select_related("user").order_by("reference"))
    officers = [con_secretary, hph_secretary, unite_secretary]
    others = voting.exclude(user__in=officers)
    # Both secretaries are members in Highams Park, so a meeting there has its sponsors.
    hph_voters = [hph_secretary.memberships.get(), unite_secretary.memberships.get(),
                  *others.filter(branch=highams)[:28]]
    # The affiliate's delegates: the union's members in the constituency who are ours too.
    delegates = [unite_secretary.memberships.get(), hph_secretary.memberships.get(),
                 *others.filter(constituency=constituency)[:7]]
    for m in delegates:
        GroupMember.objects.get_or_create(group=affiliate, user=m.user,
                                          defaults={"joined_at": ctx.now - dt.timedelta(days=60)})

    selection = selection_create(
        by=con_secretary, constituency=constituency, slug=SLUG,
        office="Member of Parliament for Chingford and Woodford Green",
        sitting_representative=SITTING,
        trigger_deadline=(ctx.now + dt.timedelta(days=21)).replace(hour=23, minute=59, second=0,
                                                                   microsecond=0))
    Selection.objects.filter(pk=selection.pk).update(created_at=ctx.now - dt.timedelta(days=21))
    selection.refresh_from_db()

    evening = ctx.now.replace(hour=19, minute=30, second=0, microsecond=0)
    yes = _past_vote(hph_secretary, highams, hph_voters, kind="branch", carried=True,
                     held=evening - dt.timedelta(days=12),
                     sponsors=(hph_secretary, unite_secretary))
    no = _past_vote(unite_secretary, affiliate, delegates, kind="affiliate", carried=False,
                    held=evening - dt.timedelta(days=9), sponsors=(unite_secretary, hph_secretary))
    decision_link(by=hph_secretary, selection=selection, body=highams, question=yes)
    decision_link(by=unite_secretary, selection=selection, body=affiliate, question=no)
    ctx.out(f"  a trigger ballot for {SITTING}: 2 of 3 bodies decided, Chingford to come")
