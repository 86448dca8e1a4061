"""Reading meetings: a member's upcoming meetings, the groups they may join."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from rankfile.accounts.http import AnyUser
from rankfile.accounts.roles import bodies_with_role, bodies_within
from rankfile.branches.models import Body
from rankfile.meetings.access import CALLERS, READERS
from rankfile.meetings.models import GroupMember, Meeting, Minutes, Reply
from rankfile.membership.models import GOOD_STANDING, Membership


def member_body_ids(user: AnyUser) -> set[int]:
    """The bodies ``user`` belongs to as a member in good standing: branch, constituency, groups."""
    if not user.is_authenticated:
        return set()
    found: set[int] = set()
    for branch, constituency in (Membership.objects.filter(user=user, status__in=GOOD_STANDING)
                                 .values_list("branch_id", "constituency_id")):
        found |= {b for b in (branch, constituency) if b}
    if found:
        found |= set(GroupMember.objects.filter(user=user).values_list("group_id", flat=True))
    return found


def officer_body_ids(user: AnyUser, kinds: tuple[str, ...] = READERS) -> set[int]:
    """The bodies where ``user`` holds one of ``kinds``, and every body below them."""
    return bodies_within(bodies_with_role(user, kinds)) if user.is_authenticated else set()


def meeting_list_upcoming(user: AnyUser, *, since: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Meetings not yet over of the bodies ``user`` belongs to or serves, soonest first."""
    since = since or timezone.now() - dt.timedelta(hours=12)
    bodies = member_body_ids(user) | officer_body_ids(user)
    return (Meeting.objects.filter(body_id__in=bodies)
            .filter(Q(starts_at__gte=since) | Q(status=Meeting.Status.OPEN))
            .exclude(status=Meeting.Status.CLOSED).select_related("body"))


def replies_of(user: AnyUser, meetings: list[Meeting]) -> dict[int, str]:
    """``user``'s answer to each of ``meetings``, by meeting id."""
    if not user.is_authenticated:
        return {}
    return dict(Reply.objects.filter(user=user, meeting__in=meetings)
                .values_list("meeting_id", "answer"))


def group_list() -> QuerySet[Body]:
    return Body.objects.filter(kind=Body.Kind.GROUP, valid_to__isnull=True).order_by("name")


def callable_bodies(user: AnyUser) -> list[Body]:
    """The bodies whose meetings ``user`` may call (directly held roles; staff: none listed)."""
    return [b for b in bodies_with_role(user, CALLERS) if b.kind != Body.Kind.ORGANISATION
            and b.kind != Body.Kind.REGION] if user.is_authenticated else []



def minutes_list_published(user: AnyUser, body: Body) -> QuerySet[Minutes]:
    """The published minutes of ``body``'s meetings, newest first, if ``user`` belongs to
    the body or serves it (the same people who may open its meetings); otherwise none."""
    if body.pk not in member_body_ids(user) | officer_body_ids(user):
        return Minutes.objects.none()
    return (Minutes.objects.filter(meeting__body=body, published_at__isnull=False)
            .select_related("meeting", "approved_by").order_by("-meeting__starts_at"))
