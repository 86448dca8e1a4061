"""Nominations: members nominate, bodies decide, nominees consent, the returning officer
confirms the validated list; nothing changes after the deadline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.elections.models import (
    AuditEntry,
    BodyNomination,
    Candidate,
    MemberNomination,
    NominationRules,
    Nominee,
)
from rankfile.elections.services.audit import audit_verify
from rankfile.elections.services.nominations import (
    KINDS,
    Threshold,
    _draw,
    body_nomination_enter,
    candidates_in_statement_order,
    nomination_make,
    nomination_rules_set,
    nominations_compute,
    nominations_confirm,
    nominations_published,
    nominee_consent,
    threshold_judge,
)
from rankfile.elections.services.setup import election_create, election_issues_before_opening
from rankfile.elections.tests.nomination_helpers import DAY, HOUR, make_people, ref
from rankfile.membership.models import AffiliatedUnion, Membership
from rankfile.outbox.models import OutboxMessage


@pytest.fixture
def people(area):
    return make_people(area, 4)


def after_deadline(election):
    return election.nominations_close_at + HOUR


def test_the_first_nomination_makes_a_nominee_and_asks_their_consent(chair, people):
    made = nomination_make(by=people[0], election=chair, reference=ref(people[1]).lower())

    nominee = made.nominee
    assert ("First1 Surname1", Nominee.Consent.PENDING) == (nominee.name, nominee.consent)
    mail = OutboxMessage.objects.get(purpose="nomination_consent")
    assert mail.to == people[1].email and "/elections/chair/nominations/consent/" in mail.body
    nomination_make(by=people[2], election=chair, nominee=nominee)
    assert 1 == Nominee.objects.count() and 2 == MemberNomination.objects.count()
    assert 1 == OutboxMessage.objects.filter(purpose="nomination_consent").count()


@pytest.mark.parametrize("status", [Membership.Status.LAPSED, Membership.Status.SUSPENDED,
                                    Membership.Status.APPLIED])
def test_a_member_not_in_good_standing_cannot_nominate(chair, people, status):
    Membership.objects.filter(user=people[0]).update(status=status)

    with pytest.raises(PermissionRefused) as e:
        nomination_make(by=people[0], election=chair, reference=ref(people[1]))

    assert "Only members of Test Party in good standing can nominate." == e.value.message
    assert not Nominee.objects.exists()


def test_a_supporter_cannot_nominate_nor_be_nominated(chair, people, supporter):
    with pytest.raises(PermissionRefused):
        nomination_make(by=supporter, election=chair, reference=ref(people[1]))
    with pytest.raises(Refusal) as e:
        nomination_make(by=people[0], election=chair, reference=ref(supporter))

    assert "no_such_member" == e.value.code and "reference" == e.value.field
    assert not Nominee.objects.exists()


def test_a_member_of_another_body_cannot_nominate_in_a_branch_election(area, returning_officer,
                                                                       people):
    election = election_create(by=returning_officer, body=area.other_branch, slug="hp",
                               title="Highams Park secretary")
    now = timezone.now()
    nomination_rules_set(by=returning_officer, election=election, opens_at=now - HOUR,
                         closes_at=now + DAY)
    [highams] = make_people(area, 1, prefix="hp", branch=area.other_branch)

    with pytest.raises(PermissionRefused):
        nomination_make(by=people[0], election=election, reference=ref(highams))
    with pytest.raises(Refusal, match="No member of Highams Park in good standing"):
        nomination_make(by=highams, election=election, reference=ref(people[0]))


def test_nominations_outside_the_period_are_refused_with_the_dates(chair, people):
    before = chair.nominations_open_at - HOUR
    with pytest.raises(Conflict) as e:
        nomination_make(by=people[0], election=chair, reference=ref(people[1]), now=before)
    assert e.value.message.startswith("Nominations open on ")

    with pytest.raises(Conflict) as e:
        nomination_make(by=people[0], election=chair, reference=ref(people[1]),
                        now=after_deadline(chair))
    assert e.value.message.startswith("Nominations closed on ")
    assert not Nominee.objects.exists()


def test_a_member_nominates_at_most_as_many_as_there_are_seats(chair, people):
    nomination_make(by=people[0], election=chair, reference=ref(people[1]))

    with pytest.raises(Refusal) as e:
        nomination_make(by=people[0], election=chair, reference=ref(people[2]))

    assert "too_many_nominations" == e.value.code
    assert ("You have already nominated one candidate: a member nominates at most as many "
            "candidates as there are seats (1).") == e.value.message
    assert 1 == Nominee.objects.count()


def test_one_cannot_nominate_oneself_nor_the_same_person_twice(area, returning_officer, people):
    election = election_create(by=returning_officer, body=area.organisation, slug="exec",
                               title="Executive", seats=3)
    now = timezone.now()
    nomination_rules_set(by=returning_officer, election=election, opens_at=now - HOUR,
                         closes_at=now + DAY)
    with pytest.raises(Refusal, match="You cannot nominate yourself"):
        nomination_make(by=people[0], election=election, reference=ref(people[0]))
    nomination_make(by=people[0], election=election, reference=ref(people[1]))
    with pytest.raises(Refusal, match="You have already nominated First1 Surname1."):
        nomination_make(by=people[0], election=election, reference=ref(people[1]))
    assert 1 == MemberNomination.objects.count()


def test_an_election_without_a_nomination_period_takes_none(election, people):
    with pytest.raises(Conflict, match="has not set a nomination period"):
        nomination_make(by=people[0], election=election, reference=ref(people[1]))


@pytest.fixture
def nominee(chair, people):
    return nomination_make(by=people[0], election=chair, reference=ref(people[1])).nominee


@pytest.mark.parametrize(("statement", "code"), [
    ("", "required"),
    ("x" * 2001, "too_long"),
    ("Vote\x00for me", "unreadable"),
    ("Vote for \u202eme", "bidi_control"),
])
def test_a_bad_statement_is_refused_and_changes_nothing(chair, people, nominee, statement,
                                                        code):
    with pytest.raises(Refusal) as e:
        nominee_consent(by=people[1], election=chair, accept=True, statement=statement)

    assert (code, "statement") == (e.value.code, e.value.field)
    nominee.refresh_from_db()
    assert (Nominee.Consent.PENDING, "") == (nominee.consent, nominee.statement)


def test_the_statement_limit_is_the_elections(chair, people, nominee, returning_officer):
    chair.nomination_rules.statement_max_length = 10
    chair.nomination_rules.save()

    with pytest.raises(Refusal, match="10 characters or fewer \\(it has 11\\)"):
        nominee_consent(by=people[1], election=chair, accept=True, statement="x" * 11)


def test_only_the_nominee_consents_and_only_before_the_deadline(chair, people, nominee):
    with pytest.raises(PermissionRefused):
        nominee_consent(by=people[2], election=chair, accept=True, statement="Me instead")
    with pytest.raises(Conflict):
        nominee_consent(by=people[1], election=chair, accept=True, statement="Late",
                        now=after_deadline(chair))

    accepted = nominee_consent(by=people[1], election=chair, accept=True,
                               statement="  Fair rents.\r\nOpen branches.  ")

    assert (Nominee.Consent.ACCEPTED, "Fair rents.\nOpen branches.") == (
        accepted.consent, accepted.statement)


def test_a_nominee_who_declined_cannot_be_nominated_again(chair, people, nominee):
    nominee_consent(by=people[1], election=chair, accept=False)

    with pytest.raises(Refusal, match="has declined nomination"):
        nomination_make(by=people[2], election=chair, reference=ref(people[1]))


# -- bodies' decisions ----------------------------------------------------------------------


def decide(by, election, nominee, body, **changes):
    values = {"kind": "branch", "body_id": body.pk, "nominee": nominee,
              "decided_on": timezone.localdate(), "votes_for": 12, "votes_against": 3,
              "abstentions": 1, "record": "Branch meeting, item 4"}
    values.update(changes)
    return body_nomination_enter(by=by, election=election, **values)


def test_staff_and_the_returning_officer_enter_decisions_others_cannot(
        chair, nominee, area, staff, returning_officer, scrutineer, people):
    for who in (scrutineer, people[0]):
        with pytest.raises(PermissionRefused):
            decide(who, chair, nominee, area.branch)
    decide(staff, chair, nominee, area.branch)
    union = AffiliatedUnion.objects.create(code="gmb", name="GMB")
    decide(returning_officer, chair, nominee, union, kind="affiliate")

    assert [("branch", "Chingford"), ("affiliate", "GMB")] == [
        (d.kind, d.body_name) for d in BodyNomination.objects.order_by("pk")]
    assert "body_nomination_entered" == AuditEntry.objects.order_by("-number")[0].action


@pytest.mark.parametrize(("changes", "message"), [
    ({"decided_on": "tomorrow"}, "The decision's date is in the future"),
    ({"decided_on": "last month"}, "The decision was taken before nominations opened"),
    ({"votes_for": 3, "votes_against": 3}, "With 3 for and 3 against, the decision to "
                                           "nominate did not carry"),
    ({"body_id": -1}, "Choose a branch of Test Party."),
    ({"kind": "affiliate"}, "Choose one of the affiliated unions."),
    ({"kind": "ward"}, "Choose whether a branch or an affiliate decided."),
    ({"record": "Minutes \u202e4"}, "invisible character"),
    ({"record": "x" * 301}, "300 characters or fewer"),
])
def test_a_bad_decision_is_refused_precisely_and_changes_nothing(chair, nominee, area,
                                                                 staff, changes, message):
    days = {"tomorrow": 1, "last month": -30}
    if changes.get("decided_on") in days:
        changes["decided_on"] = timezone.localdate() + days[changes["decided_on"]] * DAY

    with pytest.raises(Refusal, match=message):
        decide(staff, chair, nominee, area.branch, **changes)

    assert not BodyNomination.objects.exists()


def test_a_body_nominates_a_nominee_once_and_no_more_than_the_seats(chair, nominee, area,
                                                                    staff, people):
    decide(staff, chair, nominee, area.branch)
    with pytest.raises(Refusal, match="Chingford has already nominated First1 Surname1."):
        decide(staff, chair, nominee, area.branch)
    other = nomination_make(by=people[2], election=chair, reference=ref(people[3])).nominee
    with pytest.raises(Refusal, match="Chingford has already nominated one candidate"):
        decide(staff, chair, other, area.branch)
    assert 1 == BodyNomination.objects.count()


# -- validating and confirming --------------------------------------------------------------


def test_the_list_is_confirmed_after_the_deadline_only_and_then_nothing_changes(
        chair, people, nominee, returning_officer, staff, area):
    nomination_make(by=people[2], election=chair, nominee=nominee)
    nominee_consent(by=people[1], election=chair, accept=True, statement="Fair rents.")
    with pytest.raises(Conflict, match="confirm the list after the deadline"):
        nominations_confirm(by=returning_officer, election=chair)
    with pytest.raises(PermissionRefused):
        nominations_confirm(by=staff, election=chair, now=after_deadline(chair))

    [result] = nominations_confirm(by=returning_officer, election=chair,
                                   now=after_deadline(chair))

    assert result.valid and result.counts == {"members": 2, "branches": 0, "affiliates": 0}
    assert "Threshold met: 2 members of 2 needed; 0 branches of 1 needed." == result.reason
    [candidate] = Candidate.objects.filter(election=chair)
    assert ("First1 Surname1", "Fair rents.", nominee.pk) == (
        candidate.name, candidate.statement, candidate.nominee.pk)
    entry = AuditEntry.objects.filter(election=chair).order_by("-number")[0]
    assert "nominations_confirmed" == entry.action and ["First1 Surname1"] == \
        entry.details["order"]
    assert [] == audit_verify(chair)
    later = after_deadline(chair) - 2 * HOUR  # even back inside the period: confirmed
    with pytest.raises(Conflict, match="already confirmed"):
        nominations_confirm(by=returning_officer, election=chair, now=after_deadline(chair))
    with pytest.raises(Conflict, match="the list of candidates is confirmed"):
        nomination_make(by=people[3], election=chair, nominee=nominee, now=later)
    with pytest.raises(Conflict):
        nominee_consent(by=people[1], election=chair, accept=False, now=later)
    with pytest.raises(Conflict):
        decide(staff, chair, nominee, area.branch, now=later)
    with pytest.raises(Conflict):
        nomination_rules_set(by=returning_officer, election=chair, opens_at=later,
                             closes_at=later + DAY, now=later)


def test_a_nominee_counts_only_once_they_accept(chair, people, nominee, returning_officer,
                                                staff, area):
    decide(staff, chair, nominee, area.branch)
    other = nomination_make(by=people[2], election=chair, reference=ref(people[3])).nominee
    decide(staff, chair, other, area.other_branch)
    nominee_consent(by=people[3], election=chair, accept=False)

    results = nominations_confirm(by=returning_officer, election=chair,
                                  now=after_deadline(chair))

    assert [(False, "Has not accepted the nomination."), (False, "Declined the nomination.")] \
        == [(r.valid, r.reason.split(" Threshold")[0]) for r in results]
    assert not Candidate.objects.filter(election=chair).exists()
    assert [] == nominations_published(chair)


def test_shares_are_of_the_members_in_good_standing_of_the_body(area, returning_officer):
    people = make_people(area, 10)
    Membership.objects.filter(user=people[9]).update(status=Membership.Status.LAPSED)
    election = election_create(by=returning_officer, body=area.organisation, slug="share",
                               title="Share", seats=1)
    now = timezone.now()
    nomination_rules_set(by=returning_officer, election=election, opens_at=now - HOUR,
                         closes_at=now + DAY, members_share=Decimal("25"), members_number=2,
                         combine="all")
    target = nomination_make(by=people[0], election=election, reference=ref(people[1])).nominee
    nominee_consent(by=people[1], election=election, accept=True, statement="Hello")
    nomination_make(by=people[2], election=election, nominee=target)

    [short] = nominations_compute(by=returning_officer, election=election)
    nomination_make(by=people[3], election=election, nominee=target)
    [enough] = nominations_compute(by=returning_officer, election=election)

    # 9 members in good standing: 25% of 9 is 2.25, so 3 nominations are needed.
    assert (False, "Not enough nominations: 2 members of 3 needed (at least 2, and 25% of "
            "the 9 members).") == (short.valid, short.reason)
    assert enough.valid


def test_either_or_all_thresholds(chair, people, nominee, returning_officer, staff, area):
    nominee_consent(by=people[1], election=chair, accept=True, statement="Hello")
    decide(staff, chair, nominee, area.branch)
    [either] = nominations_compute(by=returning_officer, election=chair)
    NominationRules.objects.filter(election=chair).update(combine="all")
    [every] = nominations_compute(by=returning_officer, election=chair)

    assert either.valid and not every.valid
    assert every.reason.endswith("all of these must be met.")


def test_scrutineers_read_the_nominations_members_do_not(chair, nominee, scrutineer, people):
    assert 1 == len(nominations_compute(by=scrutineer, election=chair))
    with pytest.raises(PermissionRefused):
        nominations_compute(by=people[0], election=chair)


def test_a_random_order_is_drawn_once_and_recorded(area, returning_officer, staff):
    people = make_people(area, 8)
    election = election_create(by=returning_officer, body=area.organisation, slug="rand",
                               title="Random", seats=4)
    now = timezone.now()
    nomination_rules_set(by=returning_officer, election=election, opens_at=now - HOUR,
                         closes_at=now + DAY, statement_order="random")
    for i in range(4):
        nomination_make(by=people[i + 4], election=election, reference=ref(people[i]))
        nominee_consent(by=people[i], election=election, accept=True, statement=f"No. {i}")

    nominations_confirm(by=returning_officer, election=election, now=now + 2 * DAY)

    rules = NominationRules.objects.get(election=election)
    entry = AuditEntry.objects.get(election=election, action="nominations_confirmed")
    assert 32 == len(rules.order_seed) and rules.order_seed == entry.details["seed"]
    drawn = sorted(Nominee.objects.filter(election=election),
                   key=lambda n: _draw(rules.order_seed, n.pk))
    published = nominations_published(election)
    assert published is not None
    assert [n.name for n in drawn] == entry.details["order"] == [p.name for p in published]
    assert [p.name for p in published] == [
        c.name for c in candidates_in_statement_order(election)]
    # The ballot paper stays in surname order.
    assert [f"First{i} Surname{i}" for i in range(4)] == list(
        election.candidates.order_by("position").values_list("name", flat=True))


def test_the_ballot_cannot_open_before_the_list_is_confirmed(chair):
    assert "Confirm the validated list of nominations after the deadline." in \
        election_issues_before_opening(chair)


def test_the_rules_are_the_returning_officers_and_checked(chair, staff, returning_officer):
    now = timezone.now()
    with pytest.raises(PermissionRefused):
        nomination_rules_set(by=staff, election=chair, opens_at=now, closes_at=now + DAY)
    values: dict[str, Any]
    for values, field in (({"closes_at": now - DAY}, "closes_at"),
                          ({"members_share": Decimal("120")}, "members_share"),
                          ({"branches_number": 0}, "branches_number"),
                          ({"combine": "some"}, "combine"),
                          ({"statement_max_length": 0}, "statement_max_length")):
        given_values: dict[str, Any] = {"opens_at": now - DAY, "closes_at": now + DAY, **values}
        with pytest.raises(Refusal) as e:
            nomination_rules_set(by=returning_officer, election=chair, **given_values)
        assert field == e.value.field
    assert 2 == NominationRules.objects.get(election=chair).members_number


# -- the threshold rule ---------------------------------------------------------------------

shares = st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
numbers = st.none() | st.integers(min_value=1, max_value=50)
thresholds = st.lists(st.builds(Threshold, st.sampled_from(KINDS), numbers, shares),
                      max_size=3, unique_by=lambda t: t.kind)
counts = st.fixed_dictionaries({k: st.integers(0, 60) for k in KINDS})
bases = st.fixed_dictionaries({k: st.integers(0, 60) for k in KINDS})


@given(thresholds, st.sampled_from(["either", "all"]), counts, bases,
       st.sampled_from(KINDS), st.integers(1, 20))
def test_more_nominations_never_invalidate(ts, combine, have, base, kind, more):
    valid, _ = threshold_judge(ts, combine, have, base)
    after, _ = threshold_judge(ts, combine, {**have, kind: have[kind] + more}, base)

    assert after or not valid


@given(st.builds(Threshold, st.sampled_from(KINDS), numbers, shares), st.integers(0, 200))
def test_a_threshold_is_met_exactly_at_what_it_needs(t, base):
    needed = t.needed(base)

    assert threshold_judge([t], "either", {t.kind: needed}, {t.kind: base})[0]
    assert not threshold_judge([t], "either", {t.kind: needed - 1}, {t.kind: base})[0]
    assert needed >= max(1, t.number or 0)
    assert t.share is None or needed * 100 >= t.share * base


def test_erasing_a_nominee_or_nominator_waits_for_the_result(chair, people, nominee):
    from rankfile.elections.holds import nomination_erasure_holds
    from rankfile.privacy.holds import erasure_holds

    held = ["Nominated or nominating in “Chair”, whose candidates can be challenged until its "
            "result is published."]

    assert held == nomination_erasure_holds(people[0]) == nomination_erasure_holds(people[1])
    assert held[0] in erasure_holds(people[1])
    assert [] == nomination_erasure_holds(people[2])
