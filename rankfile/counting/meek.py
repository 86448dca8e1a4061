"""Meek STV.

Default: the PR Foundation's reference rule (Hill, Wichmann and Woodall,
"Algorithm 123 - Single Transferable Vote by Meek's method", Computer Journal
30(3), 1987, as the Foundation publishes it), in fixed-point arithmetic to 9
decimal places:

A. Hopeful candidates get keep factor 1, withdrawn ones 0; omega = 0.000001.
B.1 Stop if all seats are filled or the continuing candidates can fill them.
B.2.a Each ballot, weight w = 1, gives each candidate in turn w x kf (to 9
    places, rounded up) and w drops by as much, until w is 0.
B.2.b Quota = total votes credited / (seats + 1), truncated to 9 places, plus
    0.000000001.
B.2.c Hopefuls with votes >= quota are elected; if any were, start a new round.
B.2.d Total surplus s = sum of elected candidates' (votes - quota), at least 0.
B.2.e The iteration ends when s < omega, or s did not fall since the previous
    iteration.
B.2.f Else each elected kf = kf x quota / votes (each step rounded up); repeat.
B.3 Exclude the lowest hopeful; every hopeful within s of the lowest counts
    as tied, and ties are drawn by lot (the seed is printed).
C. Elect the remaining hopefuls if seats are left, else exclude them.

Variant ``nz`` (New Zealand, Local Electoral Regulations 2001 sch. 1A), as
implemented here: the same arithmetic, but an iteration ends when every
elected candidate's votes are within 0.001% of the quota, only exactly equal
candidates tie, and ties go to the candidate behind at the first stage at
which they differed ("ahead at first difference"), then by lot.

Ballots are compressed each round: defeated and withdrawn candidates are
dropped and each ranking is cut after its first hopeful (whose keep factor
is 1, so nothing passes beyond it); identical prefixes are merged. The
arithmetic per ballot is unchanged, so the result is exact.
"""

from __future__ import annotations

from rankfile.counting.ballots import Election, Ranking
from rankfile.counting.base import CountOptions, State
from rankfile.counting.errors import OptionsError
from rankfile.counting.rounds import ELECTED, EXCLUDED, HOPEFUL, WITHDRAWN, Result

PRECISION = 9
ONE = 10**PRECISION
OMEGA = 10 ** (PRECISION - 6)
RULES = {
    "prf": "Meek STV, PR Foundation reference rule (Hill, Wichmann & Woodall 1987), "
    "9-decimal fixed point, omega 0.000001",
    "nz": "Meek STV, New Zealand variant (Local Electoral Regulations 2001 sch. 1A), "
    "9-decimal fixed point",
}


def _compress(
    rankings: list[Ranking], weights: list[int], status: list[str]
) -> list[tuple[Ranking, int]]:
    out: dict[Ranking, int] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        key: list[int] = []
        for c in ranking:
            s = status[c]
            if s == ELECTED:
                key.append(c)
            elif s == HOPEFUL:
                key.append(c)
                break
        if key:
            k = tuple(key)
            out[k] = out.get(k, 0) + weight
    return list(out.items())


def count_meek(election: Election, seats: int, options: CountOptions) -> Result:
    """Count an election by Meek's method (see the module docstring).

    Args:
        election: the ballots.
        seats: seats to fill.
        options: seed, withdrawals, group minimums and ``meek_variant``.

    Returns:
        The result, round by round (each round ends with an election or an
        exclusion).

    Raises:
        OptionsError: an unknown variant, or a group minimum that cannot be met.
    """
    variant = options.meek_variant
    if variant not in RULES:
        raise OptionsError(f"unknown Meek variant {variant!r}; choose prf or nz")
    nz = variant == "nz"
    state = State(election, seats, options)
    groups = list(state.election.effective_ballots(state.withdrawn).items())
    rankings = [r for r, _ in groups]
    weights = [w for _, w in groups]
    valid = sum(weights)
    total = valid * ONE
    n = state.n
    status = state.status
    kf = [0 if status[c] == WITHDRAWN else ONE for c in range(n)]
    votes = [0] * n
    quota = total // (seats + 1) + 1
    first_quota = quota
    iterations = 0

    while not state.is_complete():
        ballots = _compress(rankings, weights, status)
        last_surplus = total
        elected_now: list[int] = []
        while True:
            iterations += 1
            votes = [0] * n
            for key, weight in ballots:
                w = ONE
                for c in key:
                    keep = (w * kf[c] + ONE - 1) // ONE
                    votes[c] += keep * weight
                    w -= keep
                    if w <= 0:
                        break
            quota = sum(votes) // (seats + 1) + 1
            elected_now = state.elect_reaching(votes, quota, "reached the quota (B.2.c)")
            surplus = max(0, sum(votes[c] - quota for c in state.elected))
            if elected_now:
                break
            if nz:
                if all(abs(votes[c] - quota) * 100_000 <= quota for c in state.elected):
                    break
            elif surplus < OMEGA:
                break
            if surplus >= last_surplus:
                break
            last_surplus = surplus
            for c in state.elected:
                kf[c] = ((kf[c] * quota + ONE - 1) // ONE * ONE + votes[c] - 1) // votes[c]
        if not elected_now:
            slack = 0 if nz else surplus
            x, why = state.choose_exclusion(
                votes,
                "exclusion (B.3)",
                slack=slack,
                backward=False,
                use_history=nz,
            )
            state.exclude(x, why + (f" (total surplus {surplus / ONE:.9f})" if not nz else ""))
            kf[x] = 0
        exhausted = total - sum(votes)
        state.record("iteration", [] if elected_now else [x], votes, exhausted, 0, quota)

    if not state.recorder.rounds:
        for ranking, weight in zip(rankings, weights, strict=True):
            votes[ranking[0]] += weight * ONE
        state.record("first-preferences", [], votes, total - sum(votes), 0, quota)
    hopeful = state.hopeful
    if hopeful:
        if state.seats_left > 0:
            state.fill_remaining(votes, "continuing candidates no more than the seats left (C.1)")
        else:
            last = state.recorder.rounds[-1]
            for c in sorted(hopeful, key=lambda c: (votes[c], c)):
                status[c] = EXCLUDED
                state.exclude(c, "all seats are filled (C.2)")
            last.events.extend(state.events)
            last.status = {state.names[c]: status[c] for c in state.recorder.shown}
            state.events = []
    result = state.result(
        "stv-meek", RULES[variant], PRECISION, valid, first_quota, {"meek_variant": variant}
    )
    result.notes.append(f"{iterations} iterations.")
    return result
