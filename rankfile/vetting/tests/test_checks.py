"""The exclusion list, duplicates and unions' lists: they flag and explain, never decide."""

import datetime as dt
import io

import pytest

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.membership.models import AffiliatedUnion, Category, Membership, StatusChange
from rankfile.membership.tests.factories import make_payment
from rankfile.vetting import services
from rankfile.vetting.models import Decision, DuplicatePair, ExclusionEntry, Flag, UnionListEntry
from rankfile.vetting.tests.helpers import applicant

V = Membership.Vetting
DOB = dt.date(1975, 3, 4)


def test_an_exclusion_list_match_flags_and_explains_and_never_rejects(area, staff):
    m = applicant(area, first_name="Nigel", last_name="Farage")
    services.exclusion_import(by=staff, data=b"name,address,postcode,note\n"
                                             b"FARAGE  nigel,,E4 7AA,Candidate elsewhere\n")

    report = services.vetting_check(by=staff)

    flag = Flag.objects.get(membership=m)
    assert (1, Flag.Kind.EXCLUSION) == (report.exclusion_flags, flag.kind)
    assert "matches exclusion list entry" in flag.explanation and "E47AA" in flag.explanation
    assert V.PENDING == Membership.objects.get(pk=m.pk).vetting
    assert 0 == Decision.objects.count()
    for kind, expected in (("any", [m]), ("exclusion", [m]), ("duplicate", []), ("none", [])):
        assert expected == list(services.vetting_queue(
            by=staff, filters=services.QueueFilter(flag=kind)))


def test_running_the_checks_twice_flags_once(area, staff):
    applicant(area, first_name="Nigel", last_name="Farage")
    services.exclusion_import(by=staff, data=b"name\nNigel Farage\n")

    services.vetting_check(by=staff)
    again = services.vetting_check(by=staff)

    assert (0, 1) == (again.exclusion_flags, Flag.objects.count())


def test_an_exclusion_file_with_bad_rows_adds_nobody_and_names_each_row(staff):
    data = "name,address,postcode\nGood Person,,\n,1 Road,E4 7AA\nBad\u202eName,,\n".encode()

    with pytest.raises(services.BadFile) as e:
        services.exclusion_import(by=staff, data=data)

    assert [(3, "name"), (4, "name")] == [(r.row, r.field) for r in e.value.errors]
    assert 0 == ExclusionEntry.objects.count()


@pytest.mark.parametrize(("data", "code"), [
    (b"\xff\xfename\n", "encoding"), (b"name\nA\x00B\n", "not_csv"), (b"who\nA\n", "header"),
    (b"name\n", "empty"), (b"name\n" + b"x" * (6 * 1024 * 1024), "too_large")])
def test_an_unreadable_exclusion_file_is_refused(staff, data, code):
    with pytest.raises(Refusal) as e:
        services.exclusion_import(by=staff, data=data)

    assert code == e.value.code


def test_only_national_staff_keep_the_lists(area, secretary, auditor):
    for who in (secretary, auditor, None):
        with pytest.raises(PermissionRefused):
            services.exclusion_import(by=who, data=b"name\nA B\n")
        with pytest.raises(PermissionRefused):
            services.vetting_check(by=who)


# -- duplicates ------------------------------------------------------------------------------


@pytest.fixture
def twins(area):
    """One person who applied twice: swapped names and other case, same birth date and postcode."""
    a = applicant(area, first_name="Ada", last_name="Lovelace", dob=DOB, email="ada@example.org")
    b = applicant(area, first_name="LOVELACE", last_name="ada", dob=DOB, email="ada2@example.org")
    return a, b


def test_a_duplicate_is_paired_and_both_are_flagged(twins, staff):
    a, b = twins

    report = services.vetting_check(by=staff)

    pair = DuplicatePair.objects.get()
    assert (1, a.pk, b.pk, "name_dob_postcode") == (report.duplicate_pairs, pair.first_id,
                                                     pair.second_id, pair.rules)
    assert {a.pk, b.pk} == set(Flag.objects.filter(kind="duplicate")
                               .values_list("membership_id", flat=True))
    assert {V.PENDING} == set(Membership.objects.values_list("vetting", flat=True))


def test_the_same_card_pairs_two_applications(area, staff):
    a = applicant(area, first_name="Ann", last_name="One", dob=DOB)
    b = applicant(area, first_name="Bea", last_name="Two", dob=dt.date(1990, 1, 1))
    make_payment(a, card_fingerprint="fp_same")
    make_payment(b, card_fingerprint="fp_same")

    services.vetting_check(by=staff)

    assert "card" == DuplicatePair.objects.get().rules


def test_merging_keeps_both_histories_and_ends_the_other(twins, staff):
    a, b = twins
    services.vetting_check(by=staff)
    pay = make_payment(b)

    kept = services.duplicate_merge(pair=DuplicatePair.objects.get(), by=staff, keep=a.pk)

    b.refresh_from_db()
    assert a == kept
    assert (Membership.Status.RESIGNED, V.REJECTED) == (b.status, b.vetting)
    assert f"Merged into {a.reference}" in StatusChange.objects.get(membership=b).reason
    assert pay.membership_id == b.pk and Membership.objects.filter(pk=a.pk).exists()
    assert DuplicatePair.Status.MERGED == DuplicatePair.objects.get().status
    assert 0 == Flag.objects.filter(kind="duplicate").count()
    with pytest.raises(Conflict):
        services.duplicate_mark_distinct(pair=DuplicatePair.objects.get(), by=staff)


def test_marking_a_pair_distinct_is_remembered_by_the_next_check(twins, staff):
    services.vetting_check(by=staff)
    services.duplicate_mark_distinct(pair=DuplicatePair.objects.get(), by=staff)

    services.vetting_check(by=staff)

    assert [DuplicatePair.Status.DISTINCT] == list(DuplicatePair.objects.values_list("status",
                                                                                   flat=True))
    assert 0 == Flag.objects.count()


def test_a_merge_must_keep_one_of_the_two(twins, staff, area):
    services.vetting_check(by=staff)

    with pytest.raises(Refusal, match="Choose which"):
        services.duplicate_merge(pair=DuplicatePair.objects.get(), by=staff,
                                 keep=applicant(area, first_name="Zed").pk)


# -- unions' lists ---------------------------------------------------------------------------


@pytest.fixture
def union(db):
    return AffiliatedUnion.objects.create(code="unite", name="Unite")


def test_an_affiliated_supporter_on_the_list_is_confirmed(area, staff, union):
    m = applicant(area, last_name="O'Neil", kind=Category.Kind.AFFILIATED_SUPPORTER, union=union,
                  union_number="u-123")

    report = services.union_list_import(by=staff, union=union,
                                        data=b"number,surname\nU-123,o neil\nU-9,Smith\n")

    m.refresh_from_db()
    assert (1, 1) == (report.checked, report.union_verified)
    assert m.union_verified_at is not None
    services.vetting_approve(membership=m, by=staff)


@pytest.mark.parametrize(("number", "last", "message"), [
    ("U-404", "Smith", "Membership number U-404 is not on Unite's list."),
    ("U-9", "Jones", "Unite's list has number U-9 under another surname (Smith), not Jones.")])
def test_a_wrong_union_number_or_surname_is_flagged_with_a_clear_message(
        area, staff, union, number, last, message):
    m = applicant(area, last_name=last, kind=Category.Kind.AFFILIATED_SUPPORTER, union=union,
                  union_number=number)
    services.union_list_import(by=staff, union=union, data=b"number,surname\nU-9,Smith\n")

    with pytest.raises(Refusal) as e:
        services.union_verify(membership=m, by=staff)

    assert message == e.value.message
    assert [message] == list(Flag.objects.filter(membership=m).values_list("explanation",
                                                                          flat=True))
    assert Membership.objects.get(pk=m.pk).union_verified_at is None


def test_a_union_file_with_bad_rows_changes_nothing(staff, union):
    services.union_list_import(by=staff, union=union, data=b"number,surname\n1,Old\n")
    bad = b"number,surname\n1,Smith\n,Jones\n1,Again\n2,\n"

    with pytest.raises(services.BadFile) as e:
        services.union_list_import(by=staff, union=union, data=bad)

    assert [(3, "number"), (4, "number"), (5, "surname")] == [(r.row, r.field)
                                                              for r in e.value.errors]
    assert ["Old"] == list(UnionListEntry.objects.values_list("surname", flat=True))


def test_the_hourly_job_pairs_them_without_staff_pressing_a_button(twins):
    from django.core.management import call_command

    from rankfile.core.tests.jobs import run_jobs

    call_command("vetting_check", stdout=io.StringIO())  # enqueues, as cron does
    assert not DuplicatePair.objects.exists()
    call_command("vetting_check", stdout=io.StringIO())  # the next hour's, before the worker
    run_jobs()  # both jobs run: nothing is paired or flagged twice

    assert 1 == DuplicatePair.objects.count()
    assert 2 == Flag.objects.filter(kind="duplicate").count()
