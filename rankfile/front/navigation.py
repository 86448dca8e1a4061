"""The site's navigation: what everyone sees, and what each role adds.

Each role's links come from the rule that guards the page they lead to (the
same ``can_*`` answer, or the role kinds the page checks), so a link is shown
exactly when the page would open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse

from rankfile.accounts.access import can_enter_admin
from rankfile.accounts.http import AnyUser
from rankfile.accounts.roles import role_kinds
from rankfile.discussion.access import AUTHORS, MODERATORS
from rankfile.mailings.access import SENDERS
from rankfile.membership.access import (
    can_import_members,
    can_place_members,
    can_read_access_log,
    can_record_payments,
    can_see_members,
    exportable_branches,
)
from rankfile.privacy.services import can_read_erasures
from rankfile.vetting.access import can_vet


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Navigation:
    """``main``: for everyone (and the visitor's own account); ``work``: their roles' pages."""

    main: list[Link] = field(default_factory=list)
    work: list[Link] = field(default_factory=list)


def _links(user: AnyUser | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    main = [
        ("Branches", reverse("branches:index")),
        ("Articles", reverse("discussion:list")),
        ("Elections", reverse("elections:list")),
        ("Live count", reverse("stats:page")),
        ("Join", reverse("membership:join")),
    ]
    work: list[tuple[str, str]] = []
    if not getattr(user, "is_authenticated", False):
        return main, work
    main.append(("My membership", reverse("me:home")))
    main.append(("Meetings", reverse("meetings:list")))
    kinds = role_kinds(user)
    if not kinds:  # most people: one query, and no role's page to link
        return main, work
    if can_record_payments(user):
        work.append(("Payments", reverse("membership:staff_payments")))
    if can_place_members(user):
        work.append(("Placements", reverse("membership:staff_placements")))
    if can_see_members(user):
        work.append(("Members", reverse("me:officers_members")))
    if can_vet(user):
        work.append(("Vetting", reverse("vetting:queue")))
    if can_read_erasures(user):
        work.append(("Erasures", reverse("privacy:staff_erasures")))
    if kinds & set(SENDERS):
        work.append(("Branch e-mail", reverse("mailings:officer_home")))
    if kinds & {"staff", "secretary"} and exportable_branches(user):
        work.append(("CSV export", reverse("me:officers_export")))
    if can_import_members(user):
        work.append(("CSV import", reverse("membership:staff_member_import")))
    if can_read_access_log(user):
        work.append(("Access log", reverse("me:officers_access_log")))
    if kinds & set(MODERATORS):
        work.append(("Moderation", reverse("discussion:moderation")))
    if kinds & set(AUTHORS):
        work.append(("My articles", reverse("discussion:mine")))
    if kinds & {"secretary", "staff"}:  # link their bodies' decisions, run selections
        work.append(("Selections", reverse("selections:list")))
    if can_enter_admin(user):
        work.append(("Admin", reverse("admin:index")))
    return main, work


def navigation_for(user: AnyUser | None, path: str = "") -> Navigation:
    """The links ``user`` gets; the one whose address is the longest start of ``path`` is
    marked current (``/articles/moderation/`` is Moderation, not Articles)."""
    main, work = _links(user)
    matching = [url for _, url in main + work if path.startswith(url)]
    current = max(matching, key=len, default=None)
    return Navigation(
        main=[Link(label, url, url == current) for label, url in main],
        work=[Link(label, url, url == current) for label, url in work],
    )


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav``, worked out only if a template shows it."""
    from django.utils.functional import SimpleLazyObject

    return {"nav": SimpleLazyObject(lambda: navigation_for(request.user, request.path))}
