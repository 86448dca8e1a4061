"""Who may see and change memberships, record payments, place members and
import the local structure.

Every answer comes from roles in bodies (``accounts.roles``): a role in a body
reaches every body below it, so national staff (``staff`` in the organisation)
reach everyone and a branch secretary their branch. The membership services
call these checks; pages, the API, the admin and commands obey the same rule.
``rankfile.core.actors.System`` passes only the checks that say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role, User
from rankfile.accounts.roles import (
    bodies_with_role,
    bodies_within,
    has_role,
    is_national_staff,
    national_roles,
)
from rankfile.branches.models import Body
from rankfile.core.actors import is_system
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.membership.models import Membership, Payment
from rankfile.membership.services.references import clean_reference

# Read members' records within the bodies where they hold the role.
READERS = (Role.Kind.STAFF, Role.Kind.AUDITOR, Role.Kind.SECRETARY)
# Change members' records (status, address, resignation on their behalf).
MANAGERS = (Role.Kind.STAFF,)
# Kept for callers that ask "is this person an officer who sees members?".
OFFICER_KINDS = READERS
# Export their bodies' members as CSV: the officers who keep the list (not auditors,
# who read record by record and change nothing).
EXPORTERS = (Role.Kind.STAFF, Role.Kind.SECRETARY)


@dataclass(frozen=True)
class MemberScope:
    """The bodies someone sees members through, and the filter that keeps to them."""

    roots: list[Body]
    filter: Q
    everyone: bool


def member_scope(user: Actor, *, under: Role | None = None) -> MemberScope | None:
    """Whose records ``user`` may read (None: nobody's).

    ``under`` narrows it to one of their roles (an API token's).
    """
    roots = bodies_with_role(user, READERS, under=under)
    if not roots:
        return None
    if any(body.parent_id is None for body in roots):
        return MemberScope(roots, Q(), everyone=True)
    within = bodies_within(roots)
    return MemberScope(roots, Q(branch_id__in=within) | Q(constituency_id__in=within),
                       everyone=False)


def can_see_members(user: Actor, *, under: Role | None = None) -> bool:
    return member_scope(user, under=under) is not None


def check_sees_members(user: Actor, *, under: Role | None = None) -> MemberScope:
    """Raises PermissionRefused when ``user`` may read no member's record."""
    scope = member_scope(user, under=under)
    if scope is None:
        raise PermissionRefused(
            "Only membership staff, auditors and branch secretaries can see members' records.",
            code="not_an_officer",
        )
    return scope


def access_membership(user: Actor, reference: str, *, under: Role | None = None) -> Membership:
    """The membership with ``reference``, if ``user`` may see it.

    A member outside the bodies where ``user`` holds a role is answered exactly
    as a reference that does not exist (the same refusal, found by the same one
    query), so an officer cannot learn who is a member elsewhere.

    Raises:
        PermissionRefused: ``user`` holds no role that reads members' records.
        NotFound: no membership with that reference that ``user`` may see.
    """
    scope = check_sees_members(user, under=under)
    reference = (reference or "").strip()[:40]
    if "\x00" in reference:  # PostgreSQL refuses NUL in text; no reference holds one
        reference = ""
    membership = (
        Membership.objects.select_related(
            "category", "branch", "constituency", "ward", "user", "rate", "window", "union"
        )
        .filter(scope.filter, reference__iexact=reference)
        .first()
    ) if reference else None
    if membership is None:
        raise NotFound("There is no membership with that reference that you can see.",
                       code="unknown_membership")
    return membership


def _body_of(membership: Membership) -> Body | None:
    return membership.branch or membership.constituency


def can_manage_membership(by: Actor, membership: Membership) -> bool:
    """The system, and staff of the member's branch or a body above it (national staff
    for a member not yet placed in any)."""
    if is_system(by):
        return True
    body = _body_of(membership)
    if body is None:
        return is_national_staff(by)
    return has_role(by, MANAGERS, body)


def is_own_membership(by: Actor, membership: Membership) -> bool:
    return isinstance(by, User) and by.pk == membership.user_id


def can_change_membership(by: Actor, membership: Membership) -> bool:
    """A member's own changes (address, resignation): the member, or staff over them."""
    return is_own_membership(by, membership) or can_manage_membership(by, membership)


def can_record_payments(by: Actor) -> bool:
    """National staff (and, later, a payment provider's webhook acting as the system)."""
    return is_system(by) or is_national_staff(by)


def access_payment(by: Actor, reference: str) -> Payment:
    """The payment with ``reference``, for someone who may record payments.

    Raises:
        PermissionRefused: ``by`` may not record payments.
        NotFound: no payment with that reference.
    """
    if not can_record_payments(by):
        raise PermissionRefused("Only membership staff can record payments.", code="not_staff")
    reference = clean_reference(reference)
    payment = Payment.objects.select_related("membership", "membership__user").filter(
        reference=reference).first()
    if payment is None:
        raise NotFound(f"There is no payment with the reference {reference}.",
                       code="unknown_payment")
    return payment


def can_place_members(by: Actor) -> bool:
    """National staff place by hand the applicants whose postcode we did not know."""
    return is_system(by) or is_national_staff(by)


def can_expire_applications(by: Actor) -> bool:
    """The hourly job (the system), and national staff."""
    return is_system(by) or is_national_staff(by)


def can_run_dues(by: Actor) -> bool:
    """The daily dues job (the system), and national staff."""
    return is_system(by) or is_national_staff(by)


def can_import_geography(by: Actor) -> bool:
    """The system (``rankfile import_geo`` run on the server), and national staff."""
    return is_system(by) or is_national_staff(by)


def can_configure_joining(by: Actor) -> bool:
    """Categories, rates, windows and unions: national staff (and the demo loader)."""
    return is_system(by) or is_national_staff(by)


def memberships_seen_by(user: Actor, *, under: Role | None = None) -> QuerySet[Membership]:
    """Every membership ``user`` may read.

    Raises:
        PermissionRefused: ``user`` holds no role that reads members' records.
    """
    return Membership.objects.filter(check_sees_members(user, under=under).filter)


def exportable_branches(user: Actor) -> list[Body]:
    """The branches whose members ``user`` may export as CSV, by name: a branch or
    constituency secretary their own, staff every branch in their body."""
    roots = bodies_with_role(user, EXPORTERS)
    if not roots:
        return []
    branches = Body.objects.filter(kind=Body.Kind.BRANCH)
    if not any(body.parent_id is None for body in roots):
        branches = branches.filter(pk__in=bodies_within(roots))
    return list(branches.order_by("name"))


def access_export_branch(user: Actor, branch_id: int) -> Body:
    """The branch ``branch_id`` if ``user`` may export its members.

    Raises:
        PermissionRefused: ``user`` exports no branch's members at all.
        NotFound: no such branch among those ``user`` may export (the same answer).
    """
    branches = exportable_branches(user)
    if not branches:
        raise PermissionRefused(
            "Only branch and constituency secretaries and staff export members.",
            code="not_an_exporter")
    for branch in branches:
        if branch.pk == branch_id:
            return branch
    raise NotFound("There is no branch with that number whose members you can export.",
                   code="unknown_branch")


def can_read_access_log(user: Actor) -> bool:
    """National auditors: they read who looked at which member's record."""
    return Role.Kind.AUDITOR in national_roles(user)


def can_import_members(by: Actor) -> bool:
    """National staff (and the system: a command on the server) import members from a
    previous system."""
    return is_system(by) or is_national_staff(by)
