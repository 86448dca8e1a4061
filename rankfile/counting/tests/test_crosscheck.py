"""Random elections without ties, counted here and by pyrankvote (a test-only extra).

pyrankvote's STV differs from the Scottish rules in detail (exact Droop quota,
surpluses moved together, bulk exclusion), so STV is compared only on
elections where no step is close: every exclusion clear by a vote and no
candidate within a vote of the quota.
"""

import pytest
from hypothesis import assume, given, settings

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions
from rankfile.counting.engine import count
from rankfile.counting.rounds import Result
from rankfile.counting.tests.strategies import elections

pyrankvote = pytest.importorskip("pyrankvote")


def their_ballots(election: Election) -> tuple[list[object], list[object]]:
    people = [pyrankvote.Candidate(name) for name in election.candidates]
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[people[c] for c in ranking])
        for ranking, weight in election.ballots.items()
        for _ in range(weight)
    ]
    return people, ballots


def clear(result: Result) -> bool:
    """No tie and no near thing at any stage."""
    one = 10**result.precision
    for before, r in zip(result.rounds, result.rounds[1:], strict=False):
        hopeful = sorted(v for n, v in before.votes.items() if before.status[n] == "hopeful")
        if len(hopeful) >= 2 and hopeful[1] - hopeful[0] <= one:
            return False
        if r.quota is not None and any(abs(v - r.quota) <= one for v in hopeful):
            return False
    return not any(e.kind in ("lot", "tie") for r in result.rounds for e in r.events)


@settings(max_examples=25)
@given(elections(max_candidates=6))
def test_it_agrees_with_pyrankvote_on_the_alternative_vote(election: Election) -> None:
    ours = count(election, "irv", 1, CountOptions(seed=1))
    assume(clear(ours))
    people, ballots = their_ballots(election)

    theirs = pyrankvote.instant_runoff_voting(people, ballots)

    assert [c.name for c in theirs.get_winners()] == ours.elected


@settings(max_examples=25)
@given(elections(min_candidates=3, max_candidates=6, max_rankings=15))
def test_it_agrees_with_pyrankvote_on_clear_stv_elections(election: Election) -> None:
    assume(len(election.candidates) > election.seats + 1 and len(election.ballots) >= 4)
    ours = count(election, "stv-scottish", None, CountOptions(seed=1))
    assume(clear(ours) and len(ours.elected) == election.seats)
    people, ballots = their_ballots(election)

    theirs = pyrankvote.single_transferable_vote(people, ballots, election.seats)

    assert sorted(c.name for c in theirs.get_winners()) == sorted(ours.elected)
