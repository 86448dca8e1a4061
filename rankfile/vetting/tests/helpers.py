"""Applications waiting for vetting, and a second staff member, for the vetting tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rankfile.accounts.models import Role, User
from rankfile.demo.personas import Area, give_role, give_two_factor, make_user
from rankfile.membership.models import Category, Membership
from rankfile.membership.tests.factories import make_category, make_membership


def applicant(area: Area, *, first_name: str = "Ann", last_name: str = "Applicant",
              kind: str = Category.Kind.REGISTERED_SUPPORTER, other: bool = False,
              email: str | None = None, dob: dt.date | None = None, **extra: Any) -> Membership:
    """An application in Chingford (or Highams Park) waiting for vetting."""
    user = make_user(email) if email else None
    branch = area.other_branch if other else area.branch
    m = make_membership(user, category=make_category(kind), status=Membership.Status.APPLIED,
                        first_name=first_name, last_name=last_name, branch=branch,
                        constituency=area.constituency,
                        ward=area.other_ward if other else area.ward, **extra)
    if dob:
        Membership.objects.filter(pk=m.pk).update(date_of_birth=dob)
        m.date_of_birth = dob
    return m


def second_staff(area: Area) -> User:
    user = make_user("staff2@example.org", first_name="Tess", last_name="Two")
    give_role(user, Role.Kind.STAFF, area.organisation)
    give_two_factor(user)  # officers pass two-factor to reach staff pages
    return user


def branch_staff(area: Area) -> User:
    """Membership staff of Highams Park only."""
    user = make_user("hp.staff@example.org", first_name="Hal", last_name="Staff")
    give_role(user, Role.Kind.STAFF, area.other_branch)
    give_two_factor(user)
    return user
