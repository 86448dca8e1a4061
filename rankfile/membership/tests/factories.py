"""Small factories for membership rows in tests.

Rows are created directly (not through the joining service) so a test states
only what it is about.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Body, Ward
from rankfile.demo.personas import Area
from rankfile.membership.models import GOOD_STANDING, Category, Membership, Payment, StatusChange

_numbers = itertools.count(1)


def make_category(kind: str = Category.Kind.MEMBER, **extra: object) -> Category:
    """The category of ``kind``, created the first time it is asked for."""
    defaults = {"name": Category.Kind(kind).label, **extra}
    category, _ = Category.objects.get_or_create(kind=kind, defaults=defaults)
    return category


def make_membership(
    user: User | None = None,
    *,
    category: Category | None = None,
    status: str = Membership.Status.ACTIVE,
    first_name: str = "Ada",
    last_name: str = "Member",
    postcode: str = "E4 7AA",
    ward: Ward | None = None,
    branch: Body | None = None,
    constituency: Body | None = None,
    reference: str | None = None,
    **extra: object,
) -> Membership:
    """A membership with its first status change recorded when it is not just applied."""
    number = next(_numbers)
    if user is None:
        # No password: hashing one is slow, and most tests log in with force_login.
        user = User.objects.create_user(f"member{number}@example.org")
    now = timezone.now()
    in_good_standing = status in GOOD_STANDING
    membership = Membership.objects.create(
        reference=reference or f"RF-T{number:07d}",
        user=user,
        category=category or make_category(),
        status=status,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=dt.date(1990, 1, 1),
        postcode=postcode,
        ward=ward,
        branch=branch,
        constituency=constituency,
        applied_at=now - dt.timedelta(days=30),
        joined_on=timezone.localdate() - dt.timedelta(days=29) if in_good_standing else None,
        good_standing_since=(
            timezone.localdate() - dt.timedelta(days=29) if in_good_standing else None
        ),
        consent_version="2026-11",
        consent_at=now,
        # Confirmed, as the public counter counts only confirmed people.
        **{"email_confirmed_at": now - dt.timedelta(days=30), **extra},
    )
    if status != Membership.Status.APPLIED:
        StatusChange.objects.create(
            membership=membership, from_status=Membership.Status.APPLIED, to_status=status,
            at=now - dt.timedelta(days=29), reason="Set up for a test",
        )
    return membership


def make_member_in(area: Area, user: User | None = None, *, other: bool = False,
                   **extra: Any) -> Membership:
    """A membership placed in ``area``'s branch (or its other branch, with ``other``)."""
    return make_membership(
        user,
        postcode=(area.other_postcode if other else area.postcode).postcode,
        ward=area.other_ward if other else area.ward,
        branch=area.other_branch if other else area.branch,
        constituency=area.constituency,
        **extra,
    )


def make_payment(membership: Membership, *, amount_pence: int = 2500,
                 status: str = Payment.Status.PAID, **extra: object) -> Payment:
    number = next(_numbers)
    now = timezone.now()
    paid = status == Payment.Status.PAID
    fields: dict[str, object] = {
        "reference": f"PAY-T{number:06d}",
        "amount_pence": amount_pence,
        "status": status,
        "method": Payment.Method.CARD if paid else "",
        "created_at": now,
        "paid_at": now if paid else None,
        "receipt_number": f"R-T{number:06d}" if paid else "",
    }
    return Payment.objects.create(membership=membership, **{**fields, **extra})
