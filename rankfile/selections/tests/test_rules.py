"""The trigger ballot's threshold rule, as properties over every tally."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.errors import Refusal
from rankfile.selections.rules import is_open_selection, threshold_parse

thresholds = st.fractions(min_value=Fraction(1, 100), max_value=1).filter(lambda f: f > 0)


@st.composite
def tallies(draw: st.DrawFn) -> dict[str, int]:
    branches = draw(st.integers(0, 60))
    affiliates = draw(st.integers(0, 30))
    return {"branches_total": branches, "branches_yes": draw(st.integers(0, branches)),
            "affiliates_total": affiliates, "affiliates_yes": draw(st.integers(0, affiliates))}


@given(tallies(), thresholds, thresholds)
def test_it_opens_exactly_when_either_share_reaches_its_threshold(tally, b, a):
    expected = ((tally["branches_total"] > 0
                 and tally["branches_yes"] * b.denominator >= b.numerator * tally["branches_total"])
                or (tally["affiliates_total"] > 0
                    and tally["affiliates_yes"] * a.denominator
                    >= a.numerator * tally["affiliates_total"]))

    assert expected == is_open_selection(**tally, branch_threshold=b, affiliate_threshold=a)


@given(tallies(), thresholds, thresholds)
def test_one_more_yes_never_turns_an_open_selection_into_a_reselection(tally, b, a):
    before = is_open_selection(**tally, branch_threshold=b, affiliate_threshold=a)
    if tally["branches_yes"] < tally["branches_total"]:
        after = is_open_selection(**{**tally, "branches_yes": tally["branches_yes"] + 1},
                                  branch_threshold=b, affiliate_threshold=a)
        assert after or not before


@given(tallies(), thresholds, thresholds)
def test_nobody_saying_yes_never_opens_and_everybody_always_does(tally, b, a):
    none = {**tally, "branches_yes": 0, "affiliates_yes": 0}
    everyone = {**tally, "branches_yes": tally["branches_total"],
                "affiliates_yes": tally["affiliates_total"]}

    assert not is_open_selection(**none, branch_threshold=b, affiliate_threshold=a)
    if tally["branches_total"] or tally["affiliates_total"]:
        assert is_open_selection(**everyone, branch_threshold=b, affiliate_threshold=a)


def test_a_third_is_a_third_exactly():
    """One branch of three reaches 1/3; 33% written as a decimal would not be the rule."""
    assert is_open_selection(branches_yes=1, branches_total=3, affiliates_yes=0,
                             affiliates_total=0, branch_threshold=Fraction(1, 3),
                             affiliate_threshold=Fraction(1, 3))
    assert not is_open_selection(branches_yes=1, branches_total=4, affiliates_yes=0,
                                 affiliates_total=2, branch_threshold=Fraction(1, 3),
                                 affiliate_threshold=Fraction(1, 3))


@given(st.text(max_size=30))
def test_any_text_is_a_threshold_in_range_or_a_refusal(text):
    try:
        value = threshold_parse(text, field="t", label="threshold")
    except Refusal as e:
        assert e.code in ("bad_threshold", "threshold_out_of_range")
    else:
        assert 0 < value <= 1


@pytest.mark.parametrize("text,expected", [("1/3", Fraction(1, 3)), ("0.5", Fraction(1, 2)),
                                           (" 1 ", Fraction(1))])
def test_it_reads_fractions_and_decimals(text, expected):
    assert expected == threshold_parse(text, field="t", label="threshold")
