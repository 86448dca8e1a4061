"""Block vote and approval vote for several seats.

Block: each ballot gives one vote to each of its first ``seats`` preferences
(a voter may mark up to as many candidates as there are seats). Approval
(``approval=True``): every candidate marked gets one vote. The candidates
with most votes win; ties at the last seat are decided by lot.
"""

from __future__ import annotations

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions, State
from rankfile.counting.plurality import pick_winners
from rankfile.counting.rounds import Result


def count_block(
    election: Election, seats: int, options: CountOptions, approval: bool = False
) -> Result:
    """Count a block-vote (or approval) election.

    Args:
        election: the ballots.
        seats: seats to fill.
        options: seed, withdrawals, group minimums.
        approval: count every mark, not only the first ``seats``.

    Returns:
        A one-round result; votes are marks, so they add up to more than
        the ballots.
    """
    state = State(election, seats, options)
    votes = [0] * state.n
    valid = 0
    for ranking, weight in state.election.effective_ballots(state.withdrawn).items():
        for c in ranking if approval else ranking[:seats]:
            votes[c] += weight
        valid += weight
    method = "approval" if approval else "block"
    pick_winners(state, votes, "most votes")
    state.record("count", [], votes, 0, 0, None)
    rule = (
        "Approval: every marked candidate gets a vote; most votes win; ties by lot"
        if approval
        else "Block vote: each ballot's first preferences up to the seats; ties by lot"
    )
    return state.result(method, rule, 0, valid, None, {})
