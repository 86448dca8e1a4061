"""Postal ballots: staff key each paper twice, and a paper keyed alike twice is cast.

Two different people key the same paper: the voter (their membership reference,
printed on the paper) and the numbers written on it. When the second keying
agrees with the first, the ballot is cast exactly as an online one
(``casting.ballot_cast_on_paper``: the roll entry marked voted and the ballot
stored with no link to the voter, in one transaction), and the keyings are
deleted in that same transaction. When they differ, the paper is held for a
third person, who keys it with the paper in hand: theirs decides. Nobody keys
one paper twice. The tracker of a postal ballot is shown to nobody: the keyer
must not learn it, and the voter is not there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.core.text import refuse_bidi_controls
from rankfile.elections.access import check_keys_postal
from rankfile.elections.models import Election, PostalKeying, RollEntry
from rankfile.elections.services.audit import audit_append
from rankfile.elections.services.casting import (
    BallotAlreadyCast,
    ElectionNotOpen,
    ballot_cast_on_paper,
    ranking_check,
)
from rankfile.elections.services.roll import current_roll
from rankfile.elections.services.setup import is_accepting_ballots

FIRST = "first"  # keyed once: waiting for a second person
HELD = "held"  # two keyings differ: waiting for a third person
CAST = "cast"  # in the box


class KeyedAlready(Conflict):
    code = "keyed_already"


@dataclass(frozen=True)
class Keyed:
    """What a keying did: ``outcome`` is FIRST, HELD or CAST; ``message`` says it."""

    outcome: str
    message: str


@dataclass(frozen=True)
class Waiting:
    """A paper keyed but not yet cast: whose (the reference the keyers read) and why."""

    reference: str
    name: str
    outcome: str
    keyed_by_me: bool


def reference_normalise(reference: object) -> str:
    if not isinstance(reference, str):
        return ""
    return "".join(reference.split()).upper()


def _entry(election: Election, reference: object) -> RollEntry:
    ref = reference_normalise(reference)
    refuse_bidi_controls(ref, field="reference", label="membership reference")
    if not ref:
        raise Refusal("Enter the membership reference printed on the ballot paper.",
                      code="no_reference", field="reference")
    entry = (current_roll(election).filter(membership__reference=ref)
             .select_related("membership").first())
    if entry is None:
        raise NotFound(f"Nobody with the membership reference {ref} is on this election's "
                       "roll. Check the reference on the paper.", code="not_on_roll",
                       field="reference")
    if not entry.eligible:
        raise Refusal(f"{ref} is not on the roll of this election, so their paper is not "
                      f"counted: {entry.reason}", code="not_eligible", field="reference")
    return entry


def _keyer(by: Actor, election: Election) -> User:
    """``by``, a person who may key the election's papers (a keying is someone's)."""
    check_keys_postal(by, election)
    if not isinstance(by, User):
        raise PermissionRefused("A paper ballot is keyed by a person.", code="not_keyer")
    return by


def _discard(entry_id: int) -> int:
    """Delete the pending keyings of a paper that cannot be cast (the voter has voted)."""
    return PostalKeying.objects.filter(entry_id=entry_id).delete()[0]


def postal_key(*, by: Actor, election: Election, reference: object, ranking: list[int]
               ) -> Keyed:
    """Key one paper ballot: the voter's membership reference and the ranking on it.

    Raises:
        PermissionRefused: ``by`` is not a returning officer or staff of the body.
        ElectionNotOpen: the box is not open.
        NotFound / Refusal: no such voter on the roll, or not eligible.
        BadRanking: the ranking breaks the rule.
        BallotAlreadyCast: the voter has voted (online or by post); pending keyings of
            their paper are deleted, since it will never be cast.
        KeyedAlready: ``by`` keyed this paper already.
    """
    keyer = _keyer(by, election)
    if not is_accepting_ballots(election):
        raise ElectionNotOpen("This election is not open for voting: paper ballots are keyed "
                              "only while the box is open.")
    entry = _entry(election, reference)
    checked = ranking_check(election, ranking)
    ref = entry.membership.reference if entry.membership else str(entry.user_id)
    if entry.voted_on is not None:
        _discard(entry.pk)
        raise BallotAlreadyCast(f"{ref} has voted already (online or by post): this paper is "
                                "not counted. Put it with the spoilt papers.")
    with transaction.atomic():
        # One keying of a paper at a time: the roll entry's row is the lock.
        locked = RollEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.voted_on is not None:
            raise BallotAlreadyCast(f"{ref} has voted already: this paper is not counted.")
        keyings = list(PostalKeying.objects.filter(entry=entry).order_by("stage"))
        if any(k.keyed_by_id == keyer.pk for k in keyings):
            raise KeyedAlready(f"You have keyed {ref}'s paper already: a different person "
                               "keys it next.", field="reference")
        outcome = keying_outcome([k.ranking for k in keyings], checked)
        if outcome == FIRST:
            _keep(election, entry, PostalKeying.Stage.FIRST, checked, keyer)
            return Keyed(FIRST, f"{ref}'s paper is keyed once. A different person keys it "
                         "again before it is counted.")
        if outcome == HELD:
            _keep(election, entry, PostalKeying.Stage.SECOND, checked, keyer)
            return Keyed(HELD, f"{ref}'s paper was keyed differently the first time. It is "
                         "held: a third person keys it, and theirs decides.")
        keyers = [k.keyed_by for k in keyings]
        ballot_cast_on_paper(election=election, entry=locked, ranking=checked)
        PostalKeying.objects.filter(entry=entry).delete()
        audit_append(election=election, action="postal_ballot_cast", by=by, details={
            "keyed_by": [u.email for u in [*keyers, keyer]],
            "decided_by_third": len(keyings) == 2})
    return Keyed(CAST, f"{ref}'s paper is in the ballot box, and they are marked as voted.")


def keying_outcome(earlier: list[list[int]], ranking: list[int]) -> str:
    """The rule: what a keying of a paper does, given the paper's earlier keyings.

    The first keying waits (FIRST); a second that agrees casts it (CAST) and one that
    differs holds it (HELD); a third, by someone else with the paper in hand, casts
    what they keyed. There is never a fourth: the third casts.
    """
    if not earlier:
        return FIRST
    if len(earlier) == 1 and earlier[0] != ranking:
        return HELD
    return CAST


def _keep(election: Election, entry: RollEntry, stage: int, ranking: list[int],
          by: User) -> None:
    PostalKeying.objects.create(election=election, entry=entry, stage=stage, ranking=ranking,
                                keyed_by=by, keyed_at=timezone.now())


def postal_waiting(*, by: Actor, election: Election) -> list[Waiting]:
    """Papers keyed but not cast, for the keyers to finish (never their rankings)."""
    keyer = _keyer(by, election)
    found: dict[int, Waiting] = {}
    for k in (PostalKeying.objects.filter(election=election)
              .select_related("entry__membership", "entry__user").order_by("entry", "stage")):
        entry = k.entry
        previous = found.get(entry.pk)
        mine = k.keyed_by_id == keyer.pk or (previous is not None and previous.keyed_by_me)
        found[entry.pk] = Waiting(
            reference=entry.membership.reference if entry.membership else "",
            name=entry.user.get_full_name() or entry.user.email,
            outcome=HELD if k.stage == PostalKeying.Stage.SECOND else FIRST,
            keyed_by_me=mine)
    return sorted(found.values(), key=lambda w: w.reference)


def postal_keyings_discard(election: Election) -> int:
    """Delete every keying of the election's papers not cast (the box is closing)."""
    return PostalKeying.objects.filter(election=election).delete()[0]
