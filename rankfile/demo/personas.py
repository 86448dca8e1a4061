"""Test personas and the small demo area they live in.

Each persona says what it may do, so a test reads like the situation it checks.
The root ``conftest.py`` makes each a fixture of the same name;
``tests/test_permissions_matrix.py`` requests every page and API operation as
each of the first eight and checks the answer.

- ``anonymous``: not logged in. Reads public pages and articles, joins,
  comments where comments are open to visitors, sees the live counters.
- ``supporter``: a registered supporter (active) in Chingford. Sees their own
  record and the members' articles; nothing of anyone else's.
- ``member``: an active member in the Chingford branch. Sees only their own
  record; changes their own address; resigns; comments as a member.
- ``other_secretary``: secretary of Highams Park, the *other* branch. Sees
  Highams Park's members only: a Chingford member's reference answers as if
  it did not exist. Creates API tokens under that role.
- ``author``: a Chingford member with the author role. Writes Chingford's
  articles and submits them for review; changes them until published.
- ``moderator``: moderator of Chingford. Publishes, changes and deletes
  Chingford's articles; moderates their comments. No admin, no members' records.
- ``auditor``: the auditor role in the organisation (read-only staff). Reads the
  admin and every member's record; changes nothing.
- ``staff``: national membership staff. Sees everyone, records payments, places
  members by hand, changes statuses, grants roles, writes in the admin.

Two more for older tests:

- ``secretary``: secretary of the Chingford branch; sees Chingford's members only.
- ``outsider``: logged in, holds no role and no membership; may do nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body, Postcode, Ward, WardPlacement
from rankfile.membership.models import Category, Membership

PASSWORD = "correct horse battery"
# The officer personas' authenticator app secret (base32): tests compute their
# two-factor codes from it with ``totp_code``.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


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


def make_user(email: str, *, password: str = PASSWORD, **extra: object) -> User:
    return User.objects.create_user(email, password, **extra)


def give_role(user: User, kind: str, body: Body) -> Role:
    return Role.objects.create(
        user=user, kind=kind, body=body, starts_on=timezone.localdate() - dt.timedelta(days=1)
    )


def give_two_factor(user: User, secret: str = TOTP_SECRET) -> None:
    """An authenticator app (TOTP with ``secret``) and recovery codes for ``user``, as an
    officer has after setting up two-factor authentication."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def totp_code(secret: str = TOTP_SECRET, *, step: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows now (``step`` periods later)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def make_member(email: str, first: str, last: str, branch: Body, *,
                kind: str = Category.Kind.MEMBER, name: str = "Member") -> User:
    """A login with an active membership of ``kind`` in ``branch``."""
    category, _ = Category.objects.get_or_create(kind=kind, defaults={"name": name})
    user = make_user(email, first_name=first, last_name=last)
    now = timezone.now()
    Membership.objects.create(
        reference=f"RF-{Membership.objects.count() + 1:08d}", user=user, category=category,
        status=Membership.Status.ACTIVE, first_name=first, last_name=last,
        date_of_birth=dt.date(1980, 1, 1), postcode="E4 7AA", branch=branch,
        constituency=branch.parent, applied_at=now, joined_on=timezone.localdate(now),
        good_standing_since=timezone.localdate(now), consent_version="2026-11", consent_at=now,
    )
    return user


def make_supporter(area: Area) -> User:
    return make_member("supporter@example.org", "Sol", "Supporter", area.branch,
                       kind=Category.Kind.REGISTERED_SUPPORTER, name="Registered supporter")


def make_member_persona(area: Area) -> User:
    return make_member("member@example.org", "Mo", "Member", area.branch)


def make_other_secretary(area: Area) -> User:
    user = make_user("hp.secretary@example.org", first_name="Hari", last_name="Park")
    give_role(user, Role.Kind.SECRETARY, area.other_branch)
    give_two_factor(user)
    return user


def make_author(area: Area) -> User:
    user = make_member("author@example.org", "Ava", "Author", area.branch)
    give_role(user, Role.Kind.AUTHOR, area.branch)
    return user


def make_moderator(area: Area) -> User:
    user = make_user("moderator@example.org", first_name="Max", last_name="Moderator")
    give_role(user, Role.Kind.MODERATOR, area.branch)
    return user


def make_auditor(area: Area) -> User:
    user = make_user("auditor@example.org", first_name="Aud", last_name="Itor")
    give_role(user, Role.Kind.AUDITOR, area.organisation)
    give_two_factor(user)
    return user


def make_staff(area: Area) -> User:
    user = make_user("staff@example.org", first_name="Sam", last_name="Staff")
    give_role(user, Role.Kind.STAFF, area.organisation)
    give_two_factor(user)
    return user


# The matrix's personas, in the order its table reads; None is the anonymous visitor.
PERSONAS = ("anonymous", "supporter", "member", "other_secretary", "author", "moderator",
            "auditor", "staff")
MAKERS = {
    "supporter": make_supporter,
    "member": make_member_persona,
    "other_secretary": make_other_secretary,
    "author": make_author,
    "moderator": make_moderator,
    "auditor": make_auditor,
    "staff": make_staff,
}


def make_personas(area: Area) -> dict[str, User | None]:
    """Every persona of ``PERSONAS`` in ``area`` (``anonymous`` is None)."""
    return {"anonymous": None, **{name: make(area) for name, make in MAKERS.items()}}


# Elections' officers (not in the matrix's PERSONAS: every election page they run is
# asked of them in rankfile/elections/tests).

def make_returning_officer(area: Area) -> User:
    """Returning officer of the organisation: runs its elections; casts no vote as such."""
    user = make_user("returning.officer@example.org", first_name="Rita", last_name="Officer")
    give_role(user, Role.Kind.RETURNING_OFFICER, area.organisation)
    give_two_factor(user)  # running an election is behind two-factor
    return user


def make_scrutineer(area: Area) -> User:
    """A candidate's agent: watches the roll and the box, never a ballot before the close."""
    user = make_user("scrutineer@example.org", first_name="Scott", last_name="Scrutineer")
    give_role(user, Role.Kind.SCRUTINEER, area.organisation)
    return user
