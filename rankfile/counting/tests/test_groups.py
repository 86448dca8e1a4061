"""Group minimums, withdrawals and re-open nominations."""

import pytest

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions
from rankfile.counting.engine import count
from rankfile.counting.errors import OptionsError
from rankfile.counting.groups import GroupMinimum


def election() -> Election:
    e = Election(candidates=["Al", "Bo", "Cy", "Di", "Ev"], seats=2)
    e.add((0, 1), 40)
    e.add((1, 0), 35)
    e.add((2, 3), 10)
    e.add((3, 2), 8)
    e.add((4, 3), 7)
    return e


@pytest.mark.parametrize("method", ["stv-scottish", "stv-meek", "plurality", "block"])
def test_it_elects_the_minimum_of_a_group(method: str) -> None:
    women = GroupMinimum("women", frozenset({2, 3, 4}), 1)

    plain = count(election(), method, options=CountOptions(seed=1))
    result = count(election(), method, options=CountOptions(seed=1, groups=[women]))

    assert not {"Cy", "Di", "Ev"} & set(plain.elected)
    assert 1 == len({"Cy", "Di", "Ev"} & set(result.elected))
    assert "Al" in result.elected
    kinds = {e.kind for r in result.rounds for e in r.events}
    assert kinds & {"not-elected", "excluded"} or method in ("plurality", "block")


def test_it_refuses_a_minimum_that_cannot_be_met() -> None:
    with pytest.raises(OptionsError):
        count(
            election(),
            "stv-scottish",
            options=CountOptions(seed=1, groups=[GroupMinimum("g", frozenset({4}), 2)]),
        )


def test_a_withdrawn_candidate_gets_no_votes() -> None:
    result = count(election(), "stv-scottish", options=CountOptions(seed=1, withdraw=[0]))

    assert "Al" not in result.rounds[0].votes
    assert ["Al"] == result.withdrawn
    assert "Bo" in result.elected


def test_reopen_nominations_leaves_its_seat_vacant() -> None:
    e = Election(candidates=["Al", "RON"], seats=1)
    e.add((1,), 10)
    e.add((0,), 3)

    result = count(e, "irv", options=CountOptions(seed=1, ron=1))

    assert ["RON"] == result.elected
    assert any("nominations re-open" in note for note in result.notes)
