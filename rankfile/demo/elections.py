"""The demo's elections: the leadership election, open, with codes for the demo voters in
a file; and a Chingford branch committee election, finished and published.

The organisation's leadership election (four candidates, the alternative vote,
results by section), its roll drawn and frozen, the box open; a returning
officer and a scrutineer login. Every ``load_demo`` issues fresh codes to the
voters on the roll who have not voted and rewrites ``var/demo-credentials.txt``
(one code a line, nothing else, mode 0600). Never in production.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
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
# Postal ballots of the leadership election are keyed at
# /elections/leadership-2016/manage/postal/ by the returning officer and national staff.
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


# (b) A finished branch committee election: Scottish STV with a women's minimum, counted
# and published with its bulletin, trackers listed apart from the ballots.
BRANCH_SLUG = "chingford-committee-2016"
BRANCH_CODE = "WF-CHN"
BRANCH_SEATS = 3
# Name, statement, woman, how popular (the weight of first preferences).
BRANCH_CANDIDATES = (
    ("Gary Pike", "Twenty years a steward at the depot.", False, 9),
    ("Tom Hale", "A surgery for tenants every month.", False, 8),
    ("Rob Tanner", "Keep the branch's books open to every member.", False, 7),
    ("Priya Shah", "Organise the new estates, street by street.", True, 5),
    ("Joan Ellery", "Branch meetings that end on time, with childcare.", True, 4),
    ("Marta Nowak", "A branch that speaks the languages of Chingford.", True, 3),
)
BRANCH_WOMEN_MINIMUM = 2
BRANCH_TURNOUT = 0.6


def branch_is_loaded() -> bool:
    return Election.objects.filter(slug=BRANCH_SLUG).exists()


def _ranking(rng: random.Random, ids: list[int], weights: list[int]) -> list[int]:
    """A voter's ranking: candidates drawn by popularity without replacement, 1 to all."""
    pool, w, ranking = list(ids), list(weights), []
    for _ in range(rng.randint(1, len(ids))):
        pick = rng.choices(range(len(pool)), weights=w)[0]
        ranking.append(pool.pop(pick))
        w.pop(pick)
    return ranking


def load_branch(ctx: DemoContext) -> None:
    """Set up, vote, close, count and publish the Chingford branch committee election."""
    from rankfile.branches.models import Body
    from rankfile.elections.services.casting import ballot_cast_as_voter
    from rankfile.elections.services.count import election_count, election_publish
    from rankfile.elections.services.setup import (
        candidate_add,
        election_close,
        election_set_trackers,
    )

    officer = User.objects.get(email=RETURNING_OFFICER)
    branch = Body.objects.get(code=BRANCH_CODE)
    today = timezone.localdate(ctx.now)
    women = [name for name, _, woman, _ in BRANCH_CANDIDATES if woman]
    election = election_create(
        by=officer, body=branch, slug=BRANCH_SLUG, title="Chingford branch committee 2016",
        seats=BRANCH_SEATS, method="stv-scottish", sections=["member"],
        options={"groups": {"women": women}, "minimum": {"women": BRANCH_WOMEN_MINIMUM},
                 "seed": 2016})
    election_set_trackers(by=officer, election=election, trackers=Election.Trackers.APART)
    for name, statement, _, _ in BRANCH_CANDIDATES:
        candidate_add(by=officer, election=election, name=name, statement=statement)
    roll_rules_set(by=officer, election=election, rules={
        "categories": ["member"],
        "freeze_date": (today - dt.timedelta(days=180)).isoformat(),
        "arrears_max_days": 90,
        "min_age": 16,
    })
    roll_evaluate(by=officer, election=election)
    roll_freeze(by=officer, election=election)
    election_open(by=officer, election=election)
    ids = list(election.candidates.order_by("position").values_list("pk", flat=True))
    weights = [popular for _, _, _, popular in BRANCH_CANDIDATES]
    rng = random.Random(2016_03)
    voters = list(current_roll(election).filter(eligible=True).select_related("user")
                  .order_by("pk"))
    voting = [e.user for e in voters if rng.random() < BRANCH_TURNOUT] or [
        e.user for e in voters[:1]]
    for voter in voting:
        ballot_cast_as_voter(election=election, voter=voter,
                             ranking=_ranking(rng, ids, weights))
    election_close(by=officer, election=election)
    if voting:
        election_publish(by=officer, election=election_count(by=officer, election=election))
        result = json.loads(Election.objects.get(pk=election.pk).result_json)
        ctx.out(f"  the Chingford branch committee election, published: {len(voting)} of "
                f"{len(voters)} voted; elected {', '.join(result['elected'])}")
