"""Who may run a selection, who links a body's decisions, and what everyone sees.

- The constituency's secretary (or staff above it) manages its selections:
  starts one, adds applicants, shortlists, links hustings, applies the rules.
- A branch's or an affiliate's own secretary links that body's decisions
  (trigger ballot, nomination) to its meeting record; national staff may too.
  A secretary of the constituency may not link a branch's decision: the branch
  decides, and says so itself.
- Creating the members' ballot is an election: the constituency's returning
  officer does it (``elections.access``).
- Every selection, its trigger ballot and its outcome are public.
"""

from __future__ import annotations

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.accounts.roles import bodies_with_role, bodies_within, has_role, is_national_staff
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.selections.models import Selection

MANAGERS = (Role.Kind.SECRETARY, Role.Kind.STAFF)
# The bodies that take part: the constituency's branches and its affiliates.
DECIDING_KINDS = (Body.Kind.BRANCH, Body.Kind.AFFILIATE)


def can_manage(user: Actor, constituency: Body) -> bool:
    return constituency.kind == Body.Kind.CONSTITUENCY and has_role(user, MANAGERS, constituency)


def check_manages(user: Actor, selection: Selection) -> None:
    if not can_manage(user, selection.constituency):
        raise PermissionRefused("Only the constituency's secretary runs its selection.",
                                code="not_constituency_secretary")


def managed_constituencies(user: Actor) -> list[Body]:
    """The constituencies whose selections ``user`` may start, by name."""
    if user is None or not user.is_authenticated:
        return []
    within = bodies_within(bodies_with_role(user, MANAGERS))
    return list(Body.objects.filter(pk__in=within, kind=Body.Kind.CONSTITUENCY,
                                    valid_to__isnull=True).order_by("name"))


def can_link_for(user: Actor, body: Body) -> bool:
    """``user`` is ``body``'s own secretary (not one above it), or national staff."""
    if user is None or not user.is_authenticated:
        return False
    if any(b.pk == body.pk for b in bodies_with_role(user, Role.Kind.SECRETARY)):
        return True
    return is_national_staff(user)


def check_links_for(user: Actor, body: Body) -> None:
    if not can_link_for(user, body):
        raise PermissionRefused(f"Only the secretary of {body} records its decisions.",
                                code="not_body_secretary")


def linkable_bodies(user: Actor, selection: Selection) -> list[Body]:
    """The deciding bodies of ``selection`` whose decisions ``user`` may link."""
    return [b for b in deciding_bodies(selection) if can_link_for(user, b)]


def deciding_bodies(selection: Selection) -> list[Body]:
    """The constituency's current branches and affiliates, branches first."""
    bodies = Body.objects.filter(parent=selection.constituency, kind__in=DECIDING_KINDS,
                                 valid_to__isnull=True)
    return sorted(bodies, key=lambda b: (b.kind != Body.Kind.BRANCH, b.name))


def access_selection(slug: str) -> Selection:
    """The selection with ``slug`` (every selection is public).

    Raises:
        NotFound: there is none.
    """
    selection = (Selection.objects.select_related("constituency", "election")
                 .filter(slug=slug[:80].replace("\x00", "")).first())
    if selection is None:
        raise NotFound("There is no such selection. Check the address.", code="no_selection")
    return selection
