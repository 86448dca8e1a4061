"""Single transferable vote under the Scottish local-government rules.

The Scottish Local Government Elections Order 2007 (SSI 2007/42), schedule 1,
rules 45 to 52:

* quota: valid ballots divided by seats plus one, fractions ignored, plus one (46);
* a candidate reaching the quota is elected (47);
* surpluses are transferred by the weighted inclusive Gregory method: every
  ballot the candidate holds moves on at value ``surplus x value / votes``,
  truncated to five decimal places (48(3)); whatever the truncation drops is
  shown as "loss";
* the largest surplus first; equal surpluses by the most recent earlier stage
  at which the candidates' votes differed, then by lot (49);
* with no surplus to transfer, the candidate with fewest votes is excluded,
  one per stage, ballots moving at the value they arrived with (50); equal
  lowest by the most recent earlier stage at which they differed, then by
  lot (51); no bulk exclusion;
* once the continuing candidates are no more than the seats left, they are
  deemed elected and nothing further is transferred (52).

Values are integers in units of 0.00001 vote.
"""

from __future__ import annotations

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions, State, next_hopeful
from rankfile.counting.rounds import Result

PRECISION = 5
ONE = 10**PRECISION
RULE = "Scottish STV (SSI 2007/42 sch. 1 rr. 45-52): Droop quota, WIGM, 5-decimal truncation"


def count_scottish(election: Election, seats: int, options: CountOptions) -> Result:
    """Count an election under the Scottish STV rules.

    Args:
        election: the ballots.
        seats: seats to fill.
        options: seed, withdrawals and group minimums.

    Returns:
        The result, stage by stage.

    Raises:
        OptionsError: a group minimum cannot be met.
    """
    state = State(election, seats, options)
    groups = list(state.election.effective_ballots(state.withdrawn).items())
    rankings = [r for r, _ in groups]
    weights = [w for _, w in groups]
    valid = sum(weights)
    quota = (valid // (seats + 1) + 1) * ONE
    n = state.n
    status = state.status
    votes = [0] * n
    # Each candidate's parcels: (group, position of this candidate, value per ballot).
    piles: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for g, ranking in enumerate(rankings):
        c = ranking[0]
        piles[c].append((g, 0, ONE))
        votes[c] += weights[g] * ONE
    non_transferable = 0
    loss = 0
    pending: list[int] = []  # elected, surplus not yet transferred

    def elect_with_quota() -> None:
        for c in state.elect_reaching(votes, quota, "reached the quota (rule 47)"):
            if votes[c] > quota:
                pending.append(c)

    elect_with_quota()
    state.record("first-preferences", [], votes, 0, 0, quota)

    while not state.is_complete():
        surplus_of = {c: votes[c] - quota for c in pending}
        if surplus_of:
            high = max(surplus_of.values())
            tied = [c for c in pending if surplus_of[c] == high]
            x = state.choose_highest(tied, "order of surpluses (rule 49)")
            pending.remove(x)
            total, surplus = votes[x], surplus_of[x]
            moved = 0
            exhausted = 0
            for g, pos, value in piles[x]:
                new_value = surplus * value // total
                ranking = rankings[g]
                p = next_hopeful(ranking, pos, status)
                if p < len(ranking):
                    c = ranking[p]
                    piles[c].append((g, p, new_value))
                    votes[c] += new_value * weights[g]
                    moved += new_value * weights[g]
                else:
                    exhausted += new_value * weights[g]
            piles[x] = []
            votes[x] = quota
            non_transferable += exhausted
            loss += surplus - moved - exhausted
            elect_with_quota()
            state.record(
                "surplus",
                [x],
                votes,
                non_transferable,
                loss,
                quota,
                transfer_value=surplus * ONE // total,
            )
            continue

        x, why = state.choose_exclusion(votes, "exclusion (rule 51)")
        state.exclude(x, why + " (rule 50)")
        for g, pos, value in piles[x]:
            ranking = rankings[g]
            p = next_hopeful(ranking, pos, status)
            if p < len(ranking):
                c = ranking[p]
                piles[c].append((g, p, value))
                votes[c] += value * weights[g]
            else:
                non_transferable += value * weights[g]
        piles[x] = []
        votes[x] = 0
        elect_with_quota()
        state.record("exclusion", [x], votes, non_transferable, loss, quota)

    state.fill_remaining(votes, "continuing candidates no more than the vacancies left (rule 52)")
    return state.result("stv-scottish", RULE, PRECISION, valid, quota, {})
