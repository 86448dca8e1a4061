"""Why a person on an electoral roll cannot be erased yet (privacy's erasure holds).

A roll can be challenged (claims, objections, a recount of the published
result) until the election's result is published; until then the returning
officer must be able to say who was on it and why. So an erasure asked for
meanwhile is deferred, with this reason, and done by the daily privacy job
once the result is out. Ballots never point to a voter, so erasure never
touches them.
"""

from __future__ import annotations

from rankfile.accounts.models import User
from rankfile.elections.models import Election, RollEntry


def roll_erasure_holds(user: User) -> list[str]:
    """One reason per unpublished election whose roll holds ``user`` (none: erase now)."""
    titles = (RollEntry.objects.filter(user=user)
              .exclude(election__status=Election.Status.PUBLISHED)
              .values_list("election__title", flat=True).distinct().order_by("election__title"))
    return [f"On the electoral roll of “{title}”, which can be challenged until its result "
            "is published." for title in titles]


def nomination_erasure_holds(user: User) -> list[str]:
    """One reason per unpublished election in which ``user`` was nominated or nominated
    someone: the list of candidates can be challenged until the result is published."""
    from django.db.models import Q

    from rankfile.elections.models import MemberNomination

    nominated = Q(nominees__user=user)
    nominating = Q(pk__in=MemberNomination.objects.filter(nominator=user).values("election_id"))
    titles = (Election.objects.filter(nominated | nominating)
              .exclude(status=Election.Status.PUBLISHED)
              .values_list("title", flat=True).distinct().order_by("title"))
    return [f"Nominated or nominating in “{title}”, whose candidates can be challenged until "
            "its result is published." for title in titles]
