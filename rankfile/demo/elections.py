"""The demo's leadership election: open, with codes for the demo voters in a file.

The organisation's leadership election (four candidates, the alternative vote,
results by section), its roll drawn and frozen, the box open; a returning
officer and a scrutineer login. Every ``load_demo`` issues fresh codes to the
voters on the roll who have not voted and rewrites ``var/demo-credentials.txt``
(one code a line, nothing else, mode 0600). Never in production.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.selectors import organisation_get
from rankfile.demo import PASSWORD
from rankfile.demo.nominations import nominate
from rankfile.elections.models import Election
from rankfile.elections.services.credentials import credentials_make
from rankfile.elections.services.roll import (
    current_roll,
    roll_evaluate,
    roll_freeze,
    roll_rules_set,
)
from rankfile.elections.services.setup import election_create, election_open

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

RETURNING_OFFICER = "returning.officer@demo.rankfile.org"
SCRUTINEER = "scrutineer@demo.rankfile.org"
LOGINS = (
    (RETURNING_OFFICER, "returning officer: runs the leadership election at "
     "/elections/leadership-2016/manage/"),
    (SCRUTINEER, "a scrutineer: watches the roll and the box, changes nothing"),
)
SLUG = "leadership-2016"
CANDIDATES = (
    ("Alex Rahman", "Thirty years on the shop floor and in the union; a party run by its "
     "members."),
    ("Bridget Owusu", "Win back the towns we lost, and keep our promises when we do."),
    ("Chris Malley", "A green industrial plan, written with the unions who will build it."),
    ("Dana Whitfield", "Every branch meeting open, every decision published."),
)
SECTIONS = ["member", "registered_supporter", "affiliated_supporter"]


def credentials_path() -> Path:
    """``var/demo-credentials.txt``, or ``DEMO_CREDENTIALS_PATH`` (tests set it)."""
    return Path(getattr(settings, "DEMO_CREDENTIALS_PATH", "")
                or Path(settings.BASE_DIR) / "var" / "demo-credentials.txt")


def is_loaded() -> bool:
    return Election.objects.filter(slug=SLUG).exists()


def _officer(email: str, first: str, last: str, kind: str, since: dt.date) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, first_name=first, last_name=last)
        org = organisation_get()
        assert org is not None, "the demo geography is loaded first"
        Role.objects.create(user=user, kind=kind, body=org, starts_on=since, note="Demo login")
    return user


def load(ctx: DemoContext) -> None:
    since = timezone.localdate(ctx.now) - dt.timedelta(days=30)
    officer = _officer(RETURNING_OFFICER, "Rita", "Officer", Role.Kind.RETURNING_OFFICER, since)
    # Running an election is behind two-factor, as the staff pages are.
    from rankfile.demo.logins import load_two_factor_for

    load_two_factor_for([officer])
    _officer(SCRUTINEER, "Scott", "Scrutineer", Role.Kind.SCRUTINEER, since)
    org = organisation_get()
    assert org is not None
    today = timezone.localdate(ctx.now)
    election = election_create(
        by=officer, body=org, slug=SLUG, title="Leadership election 2016", seats=1,
        method="irv", sections=SECTIONS,
        ballot_closes_at=ctx.now + dt.timedelta(days=30))
    # The candidates come through nominations, validated and confirmed (nominations.py).
    nominate(ctx, officer, election)
    roll_rules_set(by=officer, election=election, rules={
        "categories": SECTIONS,
        "freeze_date": (today - dt.timedelta(days=180)).isoformat(),
        "arrears_max_days": 90,
        "affiliated_verified": False,
        "min_age": 16,
    })
    roll_evaluate(by=officer, election=election)
    roll_freeze(by=officer, election=election)
    election_open(by=officer, election=election)
    on_roll = current_roll(election).filter(eligible=True).count()
    ctx.out(f"  the leadership election, open: {len(CANDIDATES)} candidates, "
            f"{on_roll} voters on the roll")


def refresh_credentials(ctx: DemoContext) -> None:
    """Fresh codes for the voters who have not voted; the old ones stop working."""
    if settings.PRODUCTION:
        return
    election = Election.objects.filter(slug=SLUG, status=Election.Status.OPEN).first()
    if election is None:
        return
    waiting = current_roll(election).filter(eligible=True, voted_on__isnull=True)
    from rankfile.elections.models import Credential

    Credential.objects.filter(entry__in=waiting, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    made = credentials_make(list(waiting.order_by("pk")), election=election)
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written afresh with the mode set before any code is in it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.writelines(f"{code}\n" for _, code in made)
    ctx.out(f"  {len(made)} voting codes for the demo voters in {path}")
