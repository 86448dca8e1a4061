"""Casting a ballot: by credential (the API, the ballot page) or as a logged-in voter.

One transaction (on PostgreSQL, one statement) marks the roll entry voted
with a conditional UPDATE (``... WHERE voted_on IS NULL``) and stores the
ballot; however many requests race with one credential, one UPDATE changes
the row and the others change nothing and are refused. A cast by code is three
round trips to the database: the code's entry, the candidates, the write. The ballot stores no link to the voter (see
``elections.models``); the tracker goes back to the caller to show, and is
stored nowhere else: not in a session, a log, a job or an e-mail.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.elections.models import Ballot, Election, RollEntry
from rankfile.elections.services.credentials import code_hmac, code_normalise
from rankfile.elections.services.roll import current_roll
from rankfile.elections.services.setup import is_accepting_ballots

# The rule printed on the ballot page, and applied to every ballot.
RANKING_RULE = ("Number the candidates 1, 2, 3 and so on, in order of preference, without "
                "gaps or repeats. Rank as many or as few as you like; at least one.")


class ElectionNotOpen(Conflict):
    code = "election_not_open"


class UnknownCredential(PermissionRefused):
    code = "unknown_credential"


class BallotAlreadyCast(Conflict):
    code = "already_voted"


class BadRanking(Refusal):
    code = "bad_ranking"
    http_status = 422


@dataclass(frozen=True)
class Receipt:
    tracker: str
    election: Election


def tracker_make() -> str:
    """80 random bits in four groups of four, e.g. ``7QXM-2PLA-RW4N-ZEHT``."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def ranking_check(election: Election, ranking: object) -> list[int]:
    """The ranking as candidate ids, first preference first; or why it is refused (422)."""
    if not isinstance(ranking, list | tuple) or not ranking:
        raise BadRanking("Rank at least one candidate.", field="ranking")
    if any(not isinstance(c, int) or isinstance(c, bool) for c in ranking):
        raise BadRanking("A ranking lists candidates' ids (whole numbers), first preference "
                         "first.", field="ranking")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, withdrawn FROM elections_candidate WHERE election_id = %s",
                       [election.pk])
        standing = {pk: bool(withdrawn) for pk, withdrawn in cursor.fetchall()}
    if len(ranking) > len(standing):
        raise BadRanking("A ranking cannot be longer than the list of candidates.",
                         field="ranking")
    seen: set[int] = set()
    for c in ranking:
        if c not in standing:
            raise BadRanking(f"There is no candidate {c} in this election.", field="ranking")
        if standing[c]:
            raise BadRanking(f"Candidate {c} has withdrawn: leave them out.", field="ranking")
        if c in seen:
            raise BadRanking(f"Candidate {c} is ranked twice: rank each candidate once.",
                             field="ranking")
        seen.add(c)
    return list(ranking)


def ranking_from_numbers(election: Election, numbers: dict[int, int | None]) -> list[int]:
    """The ranking of a ballot paper: ``numbers`` maps candidate ids to the number written
    beside them (None: left blank). Applies ``RANKING_RULE``."""
    given = {c: n for c, n in numbers.items() if n is not None}
    if not given:
        raise BadRanking("Rank at least one candidate: write 1 beside your first choice.",
                         field="ranking")
    values = sorted(given.values())
    if len(set(values)) != len(values):
        raise BadRanking("Each number may be used once: two candidates have the same "
                         "number.", field="ranking")
    if values != list(range(1, len(values) + 1)):
        missing = next(i for i in range(1, len(values) + 1) if i not in values)
        raise BadRanking(f"Number without gaps: there is no {missing}. Use 1, 2, 3 and so on.",
                         field="ranking")
    return ranking_check(election, [c for c, _ in sorted(given.items(), key=lambda cn: cn[1])])


# PostgreSQL: the roll entry marked and the ballot stored by one statement, which is
# its own transaction (one round trip instead of BEGIN, UPDATE, INSERT, COMMIT). When
# requests race, the UPDATE of all but one waits for the row, finds it voted, marks
# nothing, and so inserts nothing: the once-only guarantee of ``_cast_orm``.
CAST_SQL = """
WITH marked AS (
    UPDATE elections_rollentry SET voted_on = %s
    WHERE id = %s AND voted_on IS NULL
    RETURNING id
)
INSERT INTO elections_ballot (id, election_id, section, ranking, tracker, cast_on)
SELECT %s, %s, %s, %s::jsonb, %s, %s FROM marked
RETURNING tracker
"""


def _cast(election: Election, entry_id: int, section: str, ranking: list[int]) -> Receipt:
    if connection.vendor != "postgresql":
        return _cast_orm(election, entry_id, section, ranking)
    today = timezone.localdate()
    tracker = tracker_make()
    with connection.cursor() as cursor:
        cursor.execute(CAST_SQL, [today, entry_id, uuid.uuid4(), election.pk, section,
                                  json.dumps(ranking), tracker, today])
        stored = cursor.fetchone()
    if stored is None:
        raise BallotAlreadyCast("This vote has been cast already: each voter votes once.")
    return Receipt(tracker, election)


def _cast_orm(election: Election, entry_id: int, section: str, ranking: list[int]
              ) -> Receipt:
    with transaction.atomic():
        # The one place a vote is recorded: one request changes the row, the rest none.
        marked = RollEntry.objects.filter(pk=entry_id, voted_on__isnull=True).update(
            voted_on=timezone.localdate())
        if marked != 1:
            raise BallotAlreadyCast("This vote has been cast already: each voter votes once.")
        ballot = Ballot.objects.create(election=election, section=section, ranking=ranking,
                                       tracker=tracker_make(), cast_on=timezone.localdate())
    return Receipt(ballot.tracker, election)


# The roll entry a live code casts for, on the current version of the roll if it is
# frozen. Subqueries, not joins: the code is looked up by its unique index first and
# one entry read by its key, whatever the statistics of a freshly drawn roll say. Fixed
# SQL rather than a queryset: building the queryset cost more CPU than running it.
ENTRY_SQL = """
SELECT e.id, e.section, e.voted_on FROM elections_rollentry e
JOIN elections_rollrules r ON r.id = e.rules_id
WHERE e.id = (SELECT c.entry_id FROM elections_credential c
              WHERE c.code_hmac = %s AND c.revoked_at IS NULL)
  AND e.election_id = %s AND e.eligible AND r.frozen_at IS NOT NULL
  AND r.version = (SELECT max(v.version) FROM elections_rollrules v
                   WHERE v.election_id = %s)
"""


def _entry_of_code(election: Election, code: str) -> tuple[int, str, object] | None:
    """The roll entry (id, section, voted_on) a live code casts for, on the current and
    frozen roll of ``election``; None for a code unknown, revoked, another election's or
    of an earlier version of the roll. One query."""
    with connection.cursor() as cursor:
        cursor.execute(ENTRY_SQL, [code_hmac(code), election.pk, election.pk])
        found = cursor.fetchone()
    return None if found is None else (found[0], found[1], found[2])


def _check_open(election: Election) -> None:
    if not is_accepting_ballots(election):
        raise ElectionNotOpen("This election is not open for voting.")


def ballot_cast_with_credential(*, election: Election, credential: object,
                                ranking: Sequence[object]) -> Receipt:
    """Cast with a voting code: the code is the authority (no login, no cookie).

    Raises:
        MalformedCredential (400), ElectionNotOpen (409), UnknownCredential (403: unknown,
        revoked, or another election's), BadRanking (422), BallotAlreadyCast (409).
    """
    code = code_normalise(credential)
    _check_open(election)
    found = _entry_of_code(election, code)
    if found is None:
        raise UnknownCredential("This voting code is not valid for this election. Check it "
                                "against your e-mail, or ask for a new one.",
                                field="credential")
    entry_id, section, voted_on = found
    checked = ranking_check(election, ranking)
    if voted_on is not None:
        raise BallotAlreadyCast("This voting code has been used already: each voter votes "
                                "once.")
    return _cast(election, entry_id, section, checked)


def ballot_cast_on_paper(*, election: Election, entry: RollEntry, ranking: list[int]) -> None:
    """Cast a paper ballot its keyers agreed on (``services/postal.py`` checks them, the
    box being open and the ranking): as any other, with the same one transaction. The
    tracker is returned to nobody: the keyers must not learn it.

    Raises:
        BallotAlreadyCast: the voter has voted.
    """
    _cast(election, entry.pk, entry.section, ranking)


def ballot_cast_as_voter(*, election: Election, voter: User, ranking: Sequence[object]
                         ) -> Receipt:
    """Cast as a logged-in voter on the current roll.

    Raises:
        ElectionNotOpen, PermissionRefused (not on the roll), BadRanking, BallotAlreadyCast.
    """
    _check_open(election)
    entry = current_roll(election).filter(user=voter).first()
    if entry is None or not entry.eligible:
        raise PermissionRefused("You are not on the roll of this election. See why on the "
                                "\u201cCan I vote?\u201d page.", code="not_on_roll")
    checked = ranking_check(election, ranking)
    if entry.voted_on is not None:
        raise BallotAlreadyCast("You have voted in this election already: each voter votes "
                                "once.")
    return _cast(election, entry.pk, entry.section, checked)
