"""Plurality (first past the post): each ballot counts once, for its first preference.

With several seats the candidates with most votes win. Ties at the last seat
are decided by lot (there are no earlier rounds to consult). Group minimums
are met by passing over non-members once the seats left are all needed.
"""

from __future__ import annotations

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions, State
from rankfile.counting.rounds import Result

RULE = "Plurality: most first preferences win; ties by lot"


def pick_winners(state: State, votes: list[int], reason: str) -> None:
    """Elect the candidates with most votes, honouring group minimums and lots."""
    while state.seats_left > 0 and state.hopeful:
        pool = [
            c
            for c in state.hopeful
            if state.constraints.blocker(c, state.elected, state.seats_left) is None
        ]
        if not pool:
            break
        top = max(votes[c] for c in pool)
        tied = [c for c in pool if votes[c] == top]
        if len(tied) > 1 and len(tied) > state.seats_left:
            c = state.lot.draw(tied, "last seat(s)", state.events)
        else:
            c = min(tied)
        passed = [h for h in state.hopeful if h not in pool and votes[h] > top]
        for h in passed:
            state.exclude(h, state.constraints.blocker(h, state.elected, state.seats_left) or "")
        state.elect(c, reason)


def count_plurality(election: Election, seats: int, options: CountOptions) -> Result:
    """Count a plurality (first-past-the-post) election.

    Args:
        election: the ballots (only first preferences matter).
        seats: seats to fill (the top ``seats`` candidates win).
        options: seed, withdrawals, group minimums.

    Returns:
        A one-round result.
    """
    state = State(election, seats, options)
    votes = [0] * state.n
    valid = 0
    for ranking, weight in state.election.effective_ballots(state.withdrawn).items():
        votes[ranking[0]] += weight
        valid += weight
    pick_winners(state, votes, "most first preferences")
    state.record("count", [], votes, 0, 0, None)
    return state.result("plurality", RULE, 0, valid, None, {})
