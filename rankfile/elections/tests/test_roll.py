"""The roll: drawn from the rules with a reason for each person, frozen with hashes."""

import datetime as dt

import pytest
from django.utils import timezone

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.elections.models import RollEntry
from rankfile.elections.services.roll import (
    roll_evaluate,
    roll_figures,
    roll_freeze,
    roll_my_place,
    roll_rules_set,
)
from rankfile.elections.tests.helpers import rules_for
from rankfile.membership.models import Membership


def test_it_stores_in_or_out_with_a_reason_for_each_person(election, returning_officer,
                                                          member, supporter):
    late = timezone.localdate() + dt.timedelta(days=1)
    Membership.objects.filter(user=member).update(joined_on=late)
    roll_rules_set(by=returning_officer, election=election, rules=rules_for())

    roll_evaluate(by=returning_officer, election=election)

    mine = RollEntry.objects.get(user=member)
    assert not mine.eligible
    assert mine.reason.startswith(f"You joined on {late.day} ")
    theirs = RollEntry.objects.get(user=supporter)
    assert theirs.eligible
    assert "registered_supporter" == theirs.section


def test_it_refuses_rules_of_the_wrong_form(election, returning_officer):
    with pytest.raises(Refusal, match="Unknown rule"):
        roll_rules_set(by=returning_officer, election=election,
                       rules={"categories": ["member"], "frezze_date": "2016-01-12"})


def test_changing_the_rules_after_freezing_makes_a_new_version(election, returning_officer,
                                                              member):
    roll_rules_set(by=returning_officer, election=election, rules=rules_for())
    roll_evaluate(by=returning_officer, election=election)
    frozen = roll_freeze(by=returning_officer, election=election)

    newer = roll_rules_set(by=returning_officer, election=election,
                           rules=rules_for(min_age=18))

    assert (1, 2) == (frozen.version, newer.version)
    assert 64 == len(frozen.roll_sha256)
    assert 1 == frozen.entries.count()
    with pytest.raises(Conflict):
        roll_freeze(by=returning_officer, election=election)


def test_a_scrutineer_sees_counts_but_cannot_draw_the_roll(election, returning_officer,
                                                          scrutineer, member):
    roll_rules_set(by=returning_officer, election=election, rules=rules_for())
    with pytest.raises(PermissionRefused):
        roll_evaluate(by=scrutineer, election=election)
    roll_evaluate(by=returning_officer, election=election)

    figures = roll_figures(by=scrutineer, election=election)

    assert [{"section": "member", "on_roll": 1, "off_roll": 0, "voted": 0}] == figures.by_section
    assert [{"branch__name": "Chingford", "on_roll": 1, "off_roll": 0, "voted": 0}] == \
        figures.by_branch


def test_a_member_cannot_see_the_roll_figures(election, member):
    with pytest.raises(PermissionRefused):
        roll_figures(by=member, election=election)


def test_a_member_learns_their_place_before_and_after_the_roll_is_drawn(
        election, returning_officer, member):
    roll_rules_set(by=returning_officer, election=election, rules=rules_for(min_age=99))

    before = roll_my_place(user=member, election=election)
    roll_evaluate(by=returning_officer, election=election)
    after = roll_my_place(user=member, election=election)

    assert (False, False) == (before.on_roll, before.drawn)
    assert (False, True) == (after.on_roll, after.drawn)
    assert after.reason.startswith("You must be 99 or older")


def test_it_lists_who_moved_between_two_versions_of_the_roll(election, returning_officer,
                                                            scrutineer, member, supporter):
    from rankfile.elections.services.roll import roll_differences

    roll_rules_set(by=returning_officer, election=election, rules=rules_for())
    roll_evaluate(by=returning_officer, election=election)
    roll_freeze(by=returning_officer, election=election)
    roll_rules_set(by=returning_officer, election=election,
                   rules=rules_for(categories=["member"]))
    roll_evaluate(by=returning_officer, election=election)

    newer, older, changed = roll_differences(by=scrutineer, election=election)

    assert newer is not None and older is not None
    assert (2, 1) == (newer.version, older.version)
    assert [("Sol Supporter", "in", "out")] == [(d.name, d.before, d.after) for d in changed]
    assert changed[0].reason.startswith("As a registered supporter you have no vote")
    with pytest.raises(PermissionRefused):
        roll_differences(by=member, election=election)


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_it_draws_the_same_roll_however_the_people_are_read_in_chunks(
        election, returning_officer, area, member, supporter, monkeypatch, chunk):
    # 650,000 memberships once broke PostgreSQL's 65,535 parameters in one read:
    # the roll now reads people in chunks, and a person's memberships must never
    # be split between two of them (one entry a person, the best membership chosen).
    from rankfile.elections.services import roll as roll_service
    from rankfile.membership.tests.factories import make_member_in, make_payment

    make_member_in(area, member, status=Membership.Status.RESIGNED)  # the member's second
    for status in (Membership.Status.ACTIVE, Membership.Status.LAPSED):
        make_payment(make_member_in(area, status=status))
    # Someone who resigned and joined again: only their second membership lets them vote.
    again = make_member_in(area, status=Membership.Status.RESIGNED).user
    make_payment(make_member_in(area, again))
    roll_rules_set(by=returning_officer, election=election, rules=rules_for())

    def drawn():
        roll_evaluate(by=returning_officer, election=election)
        return sorted(RollEntry.objects.values_list(
            "user_id", "membership_id", "eligible", "reason_code"))

    whole = drawn()
    monkeypatch.setattr(roll_service, "PEOPLE_PER_CHUNK", chunk)

    assert whole == drawn()
    assert 5 == len(whole)
    assert (again.pk, True) in {(user, eligible) for user, _m, eligible, _r in whole}


def test_the_roll_deletes_everything_that_refers_to_its_entries():
    # Entries are deleted by SQL (the ORM's cascade listed 650,000 ids as
    # parameters): a model that refers to RollEntry must be deleted with them.
    from rankfile.elections.services.roll import ENTRY_DEPENDENTS

    referring = {f.related_model for f in RollEntry._meta.get_fields(include_hidden=True)
                 if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)}
    assert referring == set(ENTRY_DEPENDENTS)


def test_drawing_again_replaces_the_entries_and_what_refers_to_them(
        election, returning_officer, member, supporter):
    from rankfile.elections.models import Credential

    roll_rules_set(by=returning_officer, election=election, rules=rules_for())
    roll_evaluate(by=returning_officer, election=election)
    first = set(RollEntry.objects.values_list("pk", flat=True))
    entry = RollEntry.objects.get(user=member)
    Credential.objects.create(entry=entry, code_hmac="0" * 64, issued_at=timezone.now())

    roll_evaluate(by=returning_officer, election=election)

    assert 2 == RollEntry.objects.count()
    assert not first & set(RollEntry.objects.values_list("pk", flat=True))
    assert 0 == Credential.objects.count()
