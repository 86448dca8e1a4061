"""What one may join: categories, their rates and windows, and affiliated unions.

Staff edit them in the admin, which saves and deletes through these two
functions: they check who may, validate, and drop the joining pages' cache of
the offers once the change is committed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from rankfile.accounts.http import Actor
from rankfile.core.errors import PermissionRefused, Refusal, full_clean_or_refuse
from rankfile.membership.access import can_configure_joining
from rankfile.membership.models import AffiliatedUnion, Category, JoiningWindow, Rate
from rankfile.membership.services.joining import joining_offers_forget

Offer = Category | Rate | JoiningWindow | AffiliatedUnion


def _check(by: Actor) -> None:
    if not can_configure_joining(by):
        raise PermissionRefused("Only membership staff can change what people may join.",
                                code="not_staff")


def joining_offer_save(*, instance: Offer, by: Actor) -> Offer:
    """Save a category, rate, window or union.

    Raises:
        PermissionRefused: ``by`` is not national membership staff.
        Refusal: a field is not valid (``field`` names it). Nothing is saved.
    """
    _check(by)
    full_clean_or_refuse(instance)
    with transaction.atomic():
        instance.save()
        transaction.on_commit(joining_offers_forget)
    return instance


def joining_offer_delete(*, instance: Offer, by: Actor) -> None:
    """Delete a category, rate, window or union that nobody joined through.

    Raises:
        PermissionRefused: ``by`` is not national membership staff.
        Refusal: memberships (or rates and windows) still refer to it.
    """
    _check(by)
    try:
        with transaction.atomic():
            instance.delete()
            transaction.on_commit(joining_offers_forget)
    except ProtectedError:
        raise Refusal(f"“{instance}” is in use by memberships, rates or windows, so it cannot "
                      "be deleted.", code="in_use") from None
