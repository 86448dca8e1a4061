"""The front page and the branch pages: each shows a little of several apps.

They only read (selectors and the cached live counters) and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rankfile.accounts.http import AnyUser
from rankfile.accounts.roles import officers_of
from rankfile.branches.models import Body
from rankfile.branches.selectors import body_get, branch_list
from rankfile.core.errors import NotFound
from rankfile.discussion.selectors import article_list
from rankfile.meetings.selectors import meeting_list_upcoming, minutes_list_published
from rankfile.membership.models import Membership
from rankfile.membership.selectors import access_own_membership
from rankfile.membership.services.joining import format_when, joining_offers
from rankfile.membership.services.status import GOOD_STANDING
from rankfile.membership.stats import stats_get
from rankfile.selections.selectors import selection_list

LATEST_ARTICLES = 3
BRANCH_ARTICLES = 5
BRANCH_MINUTES = 12


@dataclass(frozen=True)
class Happening:
    """One line of "What is on": what, when, and where to read more."""

    text: str
    url: str
    link: str


def _own_membership(user: AnyUser) -> Membership | None:
    try:
        return access_own_membership(user)
    except NotFound:
        return None


def _rights(membership: Membership) -> list[str]:
    """What a membership lets its holder take part in, in plain words."""
    category = membership.category
    branch = membership.branch
    rights = []
    if category.may_vote_in_meetings:
        rights.append(f"Vote at {branch.name} branch meetings" if branch is not None
                      else "Vote at your branch's meetings, once you are placed in one")
    if category.may_vote_in_leadership:
        rights.append("Vote in leadership elections")
    if category.may_hold_office:
        rights.append("Stand for office")
    rights.append("Read the articles for members, and comment under your own name")
    return rights


def _happenings(user: AnyUser) -> list[Happening]:
    now = timezone.now()
    found = []
    for offer in joining_offers():
        if not offer.category.needs_window:
            continue
        window = offer.open_window(now)
        if window is not None:
            found.append(Happening(
                f"Registration as {offer.as_a} is open until {format_when(window.closes_at)}.",
                f"/join/{offer.kind}/", f"Register as {offer.as_a}"))
        elif offer.next_window(now) is not None:
            found.append(Happening(offer.closed_message(now), "/join/", "The ways to join"))
    # The member's own bodies' meetings first: the branch meeting is where members meet.
    for meeting in meeting_list_upcoming(user)[:LATEST_ARTICLES]:
        found.append(Happening(
            f"{meeting.body.name}: {meeting.title}, {format_when(meeting.starts_at)}.",
            meeting.get_absolute_url(), f"See “{meeting.title}”"))
    for article in article_list(user=user).exclude(link_kind="")[:LATEST_ARTICLES]:
        found.append(Happening(
            f"{article.get_link_kind_display()}: {article.link_label or article.title}",
            article.get_absolute_url(), f"Read “{article.title}”"))
    return found


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    membership = _own_membership(request.user)
    figures = stats_get()
    return render(request, "front/home.html", {
        "membership": membership,
        "in_good_standing": membership is not None and membership.status in GOOD_STANDING,
        "rights": _rights(membership) if membership is not None else [],
        "pending_payment": (membership.payments.filter(status="pending").first()
                            if membership is not None else None),
        "happenings": _happenings(request.user),
        "articles": article_list(user=request.user)[:LATEST_ARTICLES],
        "good_standing_count": figures["totals"]["in_good_standing"],
    })


@require_GET
def branch(request: HttpRequest, code: str) -> HttpResponse:
    try:
        body = body_get(code)
    except NotFound as e:
        raise Http404(e.message) from None
    if body.kind != Body.Kind.BRANCH:
        raise Http404("There is no branch with that code.")
    summaries = branch_list(constituency=body.parent)
    mine = next(s for s in summaries if s.branch.pk == body.pk)
    membership = _own_membership(request.user)
    return render(request, "front/branch.html", {
        "branch": body,
        "constituency": body.parent,
        "wards": mine.wards,
        "neighbours": [s.branch for s in summaries if s.branch.pk != body.pk],
        "officers": officers_of(body),
        "contact": body.contact_email or settings.MEMBERSHIP_OFFICE_EMAIL,
        "contact_is_branch": bool(body.contact_email),
        "articles": article_list(user=request.user, body=body)[:BRANCH_ARTICLES],
        "is_own_branch": membership is not None and membership.branch_id == body.pk,
        "is_member": membership is not None,
        "selections": selection_list().filter(constituency=body.parent),
        "minutes": minutes_list_published(request.user, body)[:BRANCH_MINUTES],
    })
