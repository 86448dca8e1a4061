"""Invariants every count keeps, whatever the ballots."""

import random

from hypothesis import given
from hypothesis import strategies as st

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions
from rankfile.counting.engine import count
from rankfile.counting.rounds import Result
from rankfile.counting.tests.strategies import elections

TRANSFERABLE = ("stv-scottish", "stv-meek", "irv")


def run(election: Election, method: str, seats: int | None = None, seed: int = 7) -> Result:
    if method == "irv":
        seats = 1
    return count(election, method, seats, CountOptions(seed=seed))


def lots(result: Result) -> int:
    return sum(1 for r in result.rounds for e in r.events if e.kind == "lot")


@given(elections(), st.sampled_from(TRANSFERABLE + ("plurality", "block")), st.randoms())
def test_it_ignores_the_order_of_ballots(
    election: Election, method: str, rnd: random.Random
) -> None:
    items = list(election.ballots.items())
    rnd.shuffle(items)
    shuffled = Election(election.candidates, election.seats, dict(items))

    assert run(election, method).to_dict() == run(shuffled, method).to_dict()


@given(elections(), st.sampled_from(TRANSFERABLE))
def test_it_conserves_the_value_of_every_ballot(election: Election, method: str) -> None:
    result = run(election, method)
    whole = result.valid_ballots * 10**result.precision

    previous_nt = previous_loss = 0
    for r in result.rounds:
        assert whole == sum(r.votes.values()) + r.non_transferable + r.loss
        if r.number > 1:
            moved_in = sum(v for v in r.transfers.values() if v > 0)
            moved_out = -sum(v for v in r.transfers.values() if v < 0)
            assert moved_out == (
                moved_in + r.non_transferable - previous_nt + r.loss - previous_loss
            )
        previous_nt, previous_loss = r.non_transferable, r.loss


@given(elections(), st.integers(0, 1000))
def test_one_seat_scottish_stv_is_the_alternative_vote(election: Election, seed: int) -> None:
    scottish = run(election, "stv-scottish", seats=1, seed=seed)
    irv = run(election, "irv", seed=seed)

    assert irv.elected == scottish.elected


@given(elections(), st.integers(0, 5))
def test_a_majority_of_first_preferences_wins_the_alternative_vote_at_once(
    election: Election, c: int
) -> None:
    c %= len(election.candidates)
    election.add((c,), election.total + 1)

    result = run(election, "irv")

    assert [election.candidates[c]] == result.elected
    assert 1 == len(result.rounds)


@given(elections(), st.sampled_from(TRANSFERABLE + ("plurality",)), st.randoms())
def test_renaming_and_renumbering_candidates_changes_nothing_without_a_lot(
    election: Election, method: str, rnd: random.Random
) -> None:
    n = len(election.candidates)
    order = list(range(n))
    rnd.shuffle(order)  # new position -> old candidate
    new_index = {old: new for new, old in enumerate(order)}
    renamed = Election(
        candidates=[f"Person {rnd.random():.6f} {i}" for i in range(n)],
        seats=election.seats,
        ballots={tuple(new_index[c] for c in r): w for r, w in election.ballots.items()},
    )
    to_old = {renamed.candidates[new_index[c]]: election.candidates[c] for c in range(n)}

    before = run(election, method)
    after = run(renamed, method)

    if lots(before) == 0 and lots(after) == 0:
        # Candidates elected together at one stage may be listed in either order.
        assert [set(r.elected) for r in before.rounds] == [
            {to_old[name] for name in r.elected} for r in after.rounds
        ]


@given(elections(max_seats=3), st.integers(0, 2**31))
def test_the_same_seed_gives_the_same_count(election: Election, seed: int) -> None:
    assert (
        run(election, "stv-scottish", seed=seed).to_dict()
        == run(election, "stv-scottish", seed=seed).to_dict()
    )
