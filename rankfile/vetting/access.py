"""Who may vet applications, keep the exclusion list and unions' lists, and decide
duplicates and appeals.

Membership staff vet the applications of the bodies where they hold the staff
role (national staff: everyone), the same rule as changing a membership
(``membership.access.can_manage_membership``). The exclusion list and unions'
lists are the whole organisation's: national staff keep them. An appeal is
decided by a staff member other than the one who rejected.
"""

from __future__ import annotations

from django.db.models import Q

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.accounts.roles import bodies_with_role, bodies_within, is_national_staff
from rankfile.core.actors import is_system
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.membership.access import MANAGERS, can_manage_membership
from rankfile.membership.models import Membership
from rankfile.vetting.models import Appeal, DuplicatePair


def vetting_scope(by: Actor) -> Q | None:
    """The filter of the applications ``by`` may vet (None: none)."""
    if is_system(by):
        return Q()
    roots = bodies_with_role(by, MANAGERS)
    if not roots:
        return None
    if any(body.parent_id is None for body in roots):
        return Q()
    within = bodies_within(roots)
    return Q(branch_id__in=within) | Q(constituency_id__in=within)


def can_vet(by: Actor) -> bool:
    return vetting_scope(by) is not None


def check_vets(by: Actor) -> Q:
    scope = vetting_scope(by)
    if scope is None:
        raise PermissionRefused("Only membership staff can vet applications.", code="not_staff")
    return scope


def can_vet_membership(by: Actor, membership: Membership) -> bool:
    return can_manage_membership(by, membership)


def access_application(by: Actor, reference: str) -> Membership:
    """The membership with ``reference`` if ``by`` may vet it; one outside their bodies
    answers as one that does not exist.

    Raises:
        PermissionRefused: ``by`` vets nothing.
        NotFound: no such membership that ``by`` may vet.
    """
    scope = check_vets(by)
    reference = (reference or "").strip()[:40].replace("\x00", "")
    membership = (Membership.objects.select_related("category", "branch", "constituency",
                                                    "user", "union")
                  .filter(scope, reference__iexact=reference).first()) if reference else None
    if membership is None:
        raise NotFound("There is no application with that reference that you can vet.",
                       code="unknown_membership")
    return membership


def can_keep_lists(by: Actor) -> bool:
    """The exclusion list and unions' lists: national staff (and the system)."""
    return is_system(by) or is_national_staff(by)


def can_decide_appeal(by: Actor, appeal: Appeal) -> bool:
    """Staff over the applicant, other than the person who rejected them."""
    if not can_vet_membership(by, appeal.membership):
        return False
    return not (isinstance(by, User) and by.pk == appeal.rejection.by_id)


def access_appeal(by: Actor, pk: int) -> Appeal:
    scope = check_vets(by)
    appeal = (Appeal.objects.select_related("membership", "rejection", "rejection__by")
              .filter(pk=pk).first())
    if appeal is None or not Membership.objects.filter(scope, pk=appeal.membership_id).exists():
        raise NotFound("There is no such appeal that you can decide.", code="unknown_appeal")
    return appeal


def access_pair(by: Actor, pk: int) -> DuplicatePair:
    scope = check_vets(by)
    pair = DuplicatePair.objects.select_related("first", "second").filter(pk=pk).first()
    if pair is None or Membership.objects.filter(
            scope, pk__in=(pair.first_id, pair.second_id)).count() != 2:
        raise NotFound("There is no such pair that you can see.", code="unknown_pair")
    return pair
