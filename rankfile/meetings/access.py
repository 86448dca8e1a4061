"""Who may call, see, reply to, chair and tell at meetings; who belongs to a body.

Every answer comes from ``accounts.roles.has_role`` (roles in the meeting's
body or above it) and from memberships in good standing; there is no second
permission mechanism.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.accounts.roles import has_role
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound
from rankfile.meetings.models import Meeting
from rankfile.membership.models import GOOD_STANDING, Membership

# Call meetings, send notice, edit minutes.
CALLERS = (Role.Kind.SECRETARY, Role.Kind.CHAIR, Role.Kind.STAFF)
# Run the meeting: open it, admit motions, put questions, close votes.
CHAIRS = (Role.Kind.CHAIR, Role.Kind.SECRETARY, Role.Kind.STAFF)
# Check people in at the door and enter a show of hands.
TELLERS = (Role.Kind.TELLER, Role.Kind.CHAIR, Role.Kind.SECRETARY, Role.Kind.STAFF)
# Read a meeting's page without belonging to its body.
READERS = (*TELLERS, Role.Kind.AUDITOR)


def body_memberships(body: Body) -> QuerySet[Membership]:
    """The memberships in good standing that belong to ``body`` (its members for a meeting).

    Only categories that vote in meetings count (members, not supporters).
    """
    live = Membership.objects.filter(status__in=GOOD_STANDING, category__may_vote_in_meetings=True)
    if body.kind == Body.Kind.BRANCH:
        return live.filter(branch=body)
    if body.kind == Body.Kind.CONSTITUENCY:
        return live.filter(constituency=body)
    if body.kind in (Body.Kind.GROUP, Body.Kind.AFFILIATE):
        return live.filter(user__group_memberships__group=body)
    return live.none()


def membership_in(user: Actor, body: Body) -> Membership | None:
    """``user``'s membership in good standing that belongs to ``body``, if any."""
    if not (user is not None and user.is_authenticated):
        return None
    return (body_memberships(body).filter(user=user).select_related("category")
            .order_by("-applied_at").first())


def can_call_meeting(user: Actor, body: Body) -> bool:
    return has_role(user, CALLERS, body)


def can_chair(user: Actor, meeting: Meeting) -> bool:
    return has_role(user, CHAIRS, meeting.body)


def can_tell(user: Actor, meeting: Meeting) -> bool:
    return has_role(user, TELLERS, meeting.body)


def can_see_meeting(user: Actor, meeting: Meeting) -> bool:
    return membership_in(user, meeting.body) is not None or has_role(user, READERS, meeting.body)


def access_meeting(user: Actor, meeting_id: int) -> Meeting:
    """The meeting, if ``user`` may see it.

    Raises:
        NotFound: no such meeting, or not theirs to see (the same answer).
    """
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    if meeting is None or not can_see_meeting(user, meeting):
        raise NotFound("There is no such meeting, or it is not one of your bodies' meetings.")
    return meeting


def access_public_meeting(meeting_id: int) -> Meeting:
    """The meeting, if it is open to the public: anyone may read it, no login.

    Raises:
        NotFound: no such meeting, or a private one (the same answer, the same words).
    """
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id, is_public=True).first()
    if meeting is None:
        raise NotFound("There is no such meeting.")
    return meeting
