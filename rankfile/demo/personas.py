"""Test personas and the small demo area they live in.

Each persona says what it may do, so a test reads like the situation it checks:

- ``member``: an active member in the Chingford branch; sees only their own record.
- ``secretary``: secretary of the Chingford branch; sees Chingford's members only.
- ``staff``: national membership staff; sees everyone, records payments.
- ``outsider``: logged in, holds no role and no membership; may do nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body, Postcode, Ward, WardPlacement


@dataclass
class Area:
    organisation: Body
    region: Body
    constituency: Body
    branch: Body
    other_branch: Body
    ward: Ward
    other_ward: Ward
    postcode: Postcode
    other_postcode: Postcode


def make_area() -> Area:
    """Two branches of one constituency, one ward and one postcode each."""
    org = Body.objects.create(kind=Body.Kind.ORGANISATION, name="Test Party", code="ORG")
    region = Body.objects.create(kind=Body.Kind.REGION, name="London", code="REG-LON", parent=org)
    con = Body.objects.create(
        kind=Body.Kind.CONSTITUENCY, name="Chingford and Woodford Green", code="E14000634", parent=region
    )
    branch = Body.objects.create(kind=Body.Kind.BRANCH, name="Chingford", code="WF-CHN", parent=con)
    other = Body.objects.create(kind=Body.Kind.BRANCH, name="Highams Park", code="WF-HPH", parent=con)
    ward = Ward.objects.create(code="E05000593", name="Chingford Green", constituency=con)
    other_ward = Ward.objects.create(code="E05000597", name="Hale End and Highams Park", constituency=con)
    since = dt.date(2002, 5, 2)
    WardPlacement.objects.create(ward=ward, branch=branch, valid_from=since)
    WardPlacement.objects.create(ward=other_ward, branch=other, valid_from=since)
    pc = Postcode.objects.create(postcode="E4 7AA", ward=ward)
    other_pc = Postcode.objects.create(postcode="E4 9AA", ward=other_ward)
    return Area(org, region, con, branch, other, ward, other_ward, pc, other_pc)


def make_user(email: str, *, password: str = "correct horse battery", **extra: object) -> User:
    return User.objects.create_user(email, password, **extra)


def give_role(user: User, kind: str, body: Body) -> Role:
    return Role.objects.create(
        user=user, kind=kind, body=body, starts_on=timezone.localdate() - dt.timedelta(days=1)
    )
