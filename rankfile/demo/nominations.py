"""The demo leadership election's nominations, done as the rules say, in the past.

Each of the four candidates (``elections.CANDIDATES``) is a member of Chingford,
nominated by members and by branches' (and one affiliate's) decisions during a
nomination period that ended ten days ago; each accepted with their statement,
and the returning officer confirmed the validated list, which made them the
ballot's candidates. The public list is at /elections/leadership-2016/nominations/.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.demo import PASSWORD, SEED
from rankfile.elections.models import Election, Nominee
from rankfile.elections.services.nominations import (
    body_nomination_enter,
    branches_of,
    members_in_good_standing,
    nomination_make,
    nomination_rules_set,
    nominations_confirm,
    nominee_consent,
)
from rankfile.membership.models import AffiliatedUnion, Membership

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

# Members' nominations each candidate gets (a member nominates one: one seat).
MEMBERS_NOMINATING = (9, 7, 5, 6)
# The threshold: five members, or two branches (each candidate gets two, so that a
# demo with few people still has its four candidates).
MEMBERS_NEEDED = 5
BRANCHES_NEEDED = 2


def _candidate_login(ctx: DemoContext, rng: random.Random, name: str, branch: Body) -> User:
    from rankfile.demo.logins import _member

    first, last = name.split(" ", 1)
    email = f"{first}.{last}@demo.rankfile.org".lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, first_name=first, last_name=last)
        _member(ctx, rng, user, branch, years=12)
        # Members of long standing, vetted long ago (the vetting step ran before this one).
        Membership.objects.filter(user=user).update(vetting=Membership.Vetting.APPROVED)
    return user


def nominate(ctx: DemoContext, officer: User, election: Election) -> None:
    from rankfile.demo.elections import CANDIDATES
    from rankfile.demo.logins import BRANCH

    rng = random.Random(SEED + 4)
    opens = ctx.now - dt.timedelta(days=40)
    closes = ctx.now - dt.timedelta(days=10)
    nomination_rules_set(by=officer, election=election, opens_at=opens, closes_at=closes,
                         members_number=MEMBERS_NEEDED, branches_number=BRANCHES_NEEDED,
                         combine="either", statement_order="random",
                         statement_max_length=1000, now=opens - dt.timedelta(days=1))
    home = Body.objects.get(code=BRANCH)
    people = [_candidate_login(ctx, rng, name, home) for name, _ in CANDIDATES]
    nominators = list(members_in_good_standing(election).exclude(user__in=people)
                      .order_by("user_id").values_list("user_id", flat=True).distinct())
    rng.shuffle(nominators)
    users = {u.pk: u for u in User.objects.filter(pk__in=nominators)}
    branches = list(branches_of(election, timezone.localdate(opens)).order_by("name"))
    union = AffiliatedUnion.objects.order_by("name").first()
    day = opens + dt.timedelta(days=2)
    for n, (person, (_, statement)) in enumerate(zip(people, CANDIDATES, strict=True)):
        reference = person.memberships.get().reference
        made = 0
        for _ in range(MEMBERS_NOMINATING[n]):
            if not nominators:
                break
            nomination_make(by=users[nominators.pop()], election=election,
                            reference=reference, now=day)
            made += 1
        if not made:  # a demo with few people: the next candidate nominates them
            nomination_make(by=people[(n + 1) % len(people)], election=election,
                            reference=reference, now=day)
        nominee = Nominee.objects.get(election=election, user=person)
        for branch in branches[2 * n:2 * n + 2]:
            body_nomination_enter(
                by=officer, election=election, kind="branch", body_id=branch.pk,
                nominee=nominee, decided_on=timezone.localdate(day), votes_for=31 - 3 * n,
                votes_against=4 + n, abstentions=n % 3,
                record=f"{branch.name} branch meeting, nominations item", now=day)
        if union is not None and n == 0:
            body_nomination_enter(
                by=officer, election=election, kind="affiliate", body_id=union.pk,
                nominee=nominee, decided_on=timezone.localdate(day), votes_for=18,
                votes_against=5, abstentions=2, record="Executive council", now=day)
        nominee_consent(by=person, election=election, accept=True, statement=statement,
                        now=day + dt.timedelta(days=1))
    results = nominations_confirm(by=officer, election=election,
                                  now=closes + dt.timedelta(hours=2))
    ctx.out(f"  nominations: {sum(r.valid for r in results)} validated candidates, listed at "
            f"/elections/{election.slug}/nominations/")
