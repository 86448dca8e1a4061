"""The eligibility rules: each person in or out, with a reason naming their own dates."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rankfile.elections.rules import (
    AFFILIATED,
    CATEGORY_WORDS,
    MEMBER,
    REGISTERED,
    Facts,
    Rules,
    RulesError,
    age_on,
    evaluate,
    parse,
)

TODAY = dt.date(2016, 8, 22)
FREEZE = dt.date(2016, 1, 12)
RULES = parse({
    "categories": [MEMBER, REGISTERED, AFFILIATED],
    "freeze_date": "2016-01-12", "good_standing_since": "2016-01-12",
    "cutoff_date": "2016-08-08", "arrears_max_days": 30,
    "supporter_window": {"from": "2016-07-18", "to": "2016-07-20"},
    "supporter_vetting_approved": True, "affiliated_verified": True, "min_age": 16,
})

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2016, 12, 31))
facts = st.builds(
    Facts,
    category=st.sampled_from(list(CATEGORY_WORDS)),
    status=st.sampled_from(["active", "in_arrears", "lapsed", "suspended", "expelled",
                            "resigned"]),
    date_of_birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 1, 1)),
    joined_on=st.none() | dates,
    good_standing_since=st.none() | dates,
    overdue_days=st.integers(0, 400),
    paid_on=st.lists(dates, max_size=3).map(tuple),
    vetting=st.sampled_from(["pending", "approved", "rejected"]),
    union_verified=st.booleans(),
)


def member(**changes):
    base = {"category": MEMBER, "status": "active", "date_of_birth": dt.date(1970, 5, 1),
            "joined_on": dt.date(2010, 3, 1), "good_standing_since": dt.date(2010, 3, 1)}
    return Facts(**{**base, **changes})


def test_it_explains_a_member_who_joined_after_the_freeze_date():
    decision = evaluate(RULES, member(joined_on=dt.date(2016, 3, 3)), today=TODAY)

    assert not decision.eligible
    assert ("You joined on 3 March 2016, after the freeze date of 12 January 2016; you could "
            "register as a supporter between 18 and 20 July 2016.") == decision.reason


def test_it_lets_a_long_standing_member_vote():
    decision = evaluate(RULES, member(), today=TODAY)

    assert decision.eligible
    assert "joined on 1 March 2010" in decision.reason


def test_it_keeps_out_a_member_too_far_in_arrears_at_the_cutoff():
    decision = evaluate(RULES, member(overdue_days=31), today=TODAY)

    assert not decision.eligible
    assert "31 days behind" in decision.reason


def test_it_keeps_out_a_supporter_who_paid_outside_the_window():
    supporter = Facts(category=REGISTERED, status="active", date_of_birth=dt.date(1980, 1, 1),
                      paid_on=(dt.date(2016, 7, 21),), vetting="approved")

    decision = evaluate(RULES, supporter, today=TODAY)

    assert not decision.eligible
    assert "paid between 18 and 20 July 2016" in decision.reason


def test_it_refuses_rules_of_the_wrong_form():
    with pytest.raises(RulesError, match="Unknown rule 'freeze'"):
        parse({"categories": [MEMBER], "freeze": "2016-01-12"})
    with pytest.raises(RulesError, match="YYYY-MM-DD"):
        parse({"categories": [MEMBER], "freeze_date": "12/01/2016"})
    with pytest.raises(RulesError, match="categories"):
        parse({"categories": ["guest"]})


@given(facts)
def test_every_decision_has_a_reason_in_a_sentence(f):
    decision = evaluate(RULES, f, today=TODAY)

    assert decision.reason.endswith(".")
    assert decision.reason[0].isupper()


@given(facts)
def test_every_decision_names_the_rule_that_decided_for_counts_by_reason(f):
    from rankfile.elections.rules import REASON_WORDS

    decision = evaluate(RULES, f, today=TODAY)

    assert decision.code in REASON_WORDS
    assert decision.eligible == (decision.code == "eligible")


@given(facts)
def test_nobody_out_of_good_standing_or_under_age_is_on_the_roll(f):
    decision = evaluate(RULES, f, today=TODAY)

    if f.status not in ("active", "in_arrears") or age_on(f.date_of_birth, dt.date(2016, 8, 8)) < 16:
        assert not decision.eligible


@given(facts)
def test_every_member_on_the_roll_meets_each_member_rule(f):
    decision = evaluate(RULES, f, today=TODAY)

    if decision.eligible and f.category == MEMBER:
        assert f.joined_on is not None and f.joined_on <= FREEZE
        assert f.good_standing_since is not None and f.good_standing_since <= FREEZE
        assert f.overdue_days <= 30


@given(facts)
def test_every_supporter_on_the_roll_paid_in_the_window_and_passed_vetting(f):
    decision = evaluate(RULES, f, today=TODAY)

    if decision.eligible and f.category == REGISTERED:
        assert f.vetting == "approved"
        assert any(dt.date(2016, 7, 18) <= d <= dt.date(2016, 7, 20) for d in f.paid_on)
    if decision.eligible and f.category == AFFILIATED:
        assert f.union_verified


@given(facts)
def test_dropping_a_rule_never_removes_anyone(f):
    """Rules only exclude: without the arrears rule, whoever was in stays in."""
    looser = Rules(**{**RULES.__dict__, "arrears_max_days": None})

    if evaluate(RULES, f, today=TODAY).eligible:
        assert evaluate(looser, f, today=TODAY).eligible


@given(facts)
def test_a_category_left_out_of_the_rules_has_no_vote(f):
    only_members = Rules(**{**RULES.__dict__, "categories": (MEMBER,)})

    if f.category != MEMBER:
        assert not evaluate(only_members, f, today=TODAY).eligible
