"""The alternative vote (instant runoff), for one seat.

Rules, as applied here:

* Each ballot counts for its highest-ranked continuing candidate.
* A candidate with more than half of the votes on continuing (not
  exhausted) ballots is elected. Exhausted ballots are shown as
  non-transferable and no longer count towards the majority.
* Otherwise the candidate with fewest votes is excluded and their ballots
  go to each ballot's next continuing preference. Equal lowest candidates
  are separated by the most recent earlier round at which their votes
  differed, then by lot.
* Bulk exclusion (``bulk_exclusion``, off by default): the lowest candidates
  whose combined votes are fewer than the next candidate's are excluded
  together, since no transfer among them could lift any of them above that
  candidate; it never changes the winner, only the number of rounds.
* When two candidates remain and tie, the tie rule decides who is excluded.
"""

from __future__ import annotations

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions, State, next_hopeful
from rankfile.counting.errors import OptionsError
from rankfile.counting.rounds import Result

RULE = "Alternative vote: majority of continuing ballots; exclude lowest, ties by earlier rounds"


def count_irv(election: Election, seats: int, options: CountOptions) -> Result:
    """Count an alternative-vote (instant-runoff) election.

    Args:
        election: the ballots.
        seats: must be 1.
        options: seed, withdrawals, group minimums, ``bulk_exclusion``.

    Returns:
        The result, round by round.

    Raises:
        OptionsError: more than one seat was asked for.
    """
    if seats != 1:
        raise OptionsError(
            f"the alternative vote fills one seat, not {seats}; use --seats 1 or stv-scottish"
        )
    state = State(election, seats, options)
    groups = list(state.election.effective_ballots(state.withdrawn).items())
    rankings = [r for r, _ in groups]
    weights = [w for _, w in groups]
    valid = sum(weights)
    n = state.n
    status = state.status
    votes = [0] * n
    piles: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for g, ranking in enumerate(rankings):
        piles[ranking[0]].append((g, 0))
        votes[ranking[0]] += weights[g]
    exhausted = 0

    def check_majority() -> None:
        continuing = valid - exhausted
        for c in state.hopeful:
            if 2 * votes[c] > continuing:
                state.elect(c, f"more than half of the {continuing} continuing votes")

    def move(x: int) -> int:
        lost = 0
        for g, pos in piles[x]:
            ranking = rankings[g]
            p = next_hopeful(ranking, pos, status)
            if p < len(ranking):
                c = ranking[p]
                piles[c].append((g, p))
                votes[c] += weights[g]
            else:
                lost += weights[g]
        piles[x] = []
        votes[x] = 0
        return lost

    check_majority()
    state.record("first-preferences", [], votes, 0, 0, None)
    while not state.is_complete():
        out = _bulk(state, votes) if options.bulk_exclusion else []
        if out:
            for c in out:
                state.exclude(
                    c,
                    "bulk exclusion: the lowest candidates together have fewer "
                    "votes than the next candidate",
                )
        else:
            x, why = state.choose_exclusion(votes, "exclusion")
            state.exclude(x, why)
            out = [x]
        for x in out:
            exhausted += move(x)
        check_majority()
        state.record("exclusion", out, votes, exhausted, 0, None)
    state.fill_remaining(votes, "the last continuing candidate")
    return state.result("irv", RULE, 0, valid, None, {"bulk_exclusion": options.bulk_exclusion})


def _bulk(state: State, votes: list[int]) -> list[int]:
    if state.constraints:
        return []  # a minimum may protect someone in the block; go one at a time
    hopeful = sorted(state.hopeful, key=lambda c: votes[c])
    best: list[int] = []
    running = 0
    for k in range(len(hopeful) - 2):
        running += votes[hopeful[k]]
        if running < votes[hopeful[k + 1]] and k >= 1:
            best = hopeful[: k + 1]
    return best
