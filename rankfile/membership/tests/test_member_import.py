"""CSV import of members from a previous system: a dry run, then all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Membership
from rankfile.membership.services.imports import member_import, member_import_check

HEADER = "email,first_name,last_name,date_of_birth,postcode,status,joined_on\r\n"
GOOD = (HEADER + "ada@example.org,Ada,Lovelace,1980-05-17,e4 7aa,active,2015-09-12\r\n"
        "bob@example.org,Bob,Crow,1961-06-13,E4 9AA,lapsed,\r\n"
        "cat@example.org,Cat,Nowhere,1990-01-01,ZE1 0AA,,\r\n").encode()


@pytest.fixture
def offers(db):
    from rankfile.membership.models import Category
    from rankfile.membership.tests.join_helpers import make_offers

    if not Category.objects.exists():  # the member persona made them already
        make_offers()


def test_it_checks_a_good_file_without_writing(staff, area, offers):
    report = member_import_check(data=GOOD, by=staff)

    assert (3, [], 1) == (report.rows, report.errors, report.needs_placement)
    assert not Membership.objects.filter(user__email="ada@example.org").exists()


def test_it_imports_a_good_file_with_history_and_placement(staff, area, offers):
    report = member_import(data=GOOD, filename="old.csv", by=staff)

    ada = Membership.objects.get(user__email="ada@example.org")
    bob = Membership.objects.get(user__email="bob@example.org")
    cat = Membership.objects.get(user__email="cat@example.org")
    assert 3 == report.imported
    assert ("active", area.branch, "E4 7AA", "2015-09-12") == (
        ada.status, ada.branch, ada.postcode, str(ada.joined_on))
    assert ("lapsed", area.other_branch) == (bob.status, bob.branch)
    assert cat.needs_placement and cat.branch is None
    assert "Imported from a previous system (old.csv, row 2)" == ada.history.get().reason
    assert staff == ada.history.get().by
    assert not ada.user.has_usable_password()


def test_it_reports_each_bad_row_by_number_and_field_and_imports_nothing(staff, member, offers):
    data = (HEADER
            + "ok@example.org,Ok,Person,1980-01-01,E4 7AA,,\r\n"       # row 2: fine
            + "not-an-address,Ann,Bee,1980-01-01,E4 7AA,,\r\n"         # row 3
            + "c@example.org,,Dee,17/05/1980,nowhere,,\r\n"            # row 4
            + "ok@example.org,Ok,Again,1980-01-01,E4 7AA,expelled,\r\n"  # row 5
            + f"{member.email},Mem,Ber,1980-01-01,E4 7AA,,\r\n"        # row 6
            + "e@example.org,E\u202eve,Eff,1980-01-01,E4 7AA,,2999-01-01\r\n"  # row 7
            + "f@example.org,too,few\r\n").encode()                     # row 8
    before = Membership.objects.count()

    report = member_import_check(data=data, by=staff)
    with pytest.raises(Refusal) as refused:
        member_import(data=data, filename="bad.csv", by=staff)

    assert [(e.row, e.field) for e in report.errors] == [
        (3, "email"), (4, "first_name"), (4, "date_of_birth"), (4, "postcode"),
        (5, "email"), (5, "status"), (6, "email"), (7, "first_name"), (8, "")]
    assert "ok@example.org is also on row 2" in str(report.errors[4])
    assert "Row 4, date_of_birth: Enter the date of birth as YYYY-MM-DD" in str(report.errors[2])
    assert "already has a login here" in report.errors[6].message
    assert "import_has_errors" == refused.value.code
    assert before == Membership.objects.count()


@pytest.mark.parametrize(("data", "says"), [
    (b"email,first_name\r\n", "Add the columns last_name, date_of_birth, postcode."),
    ((HEADER.rstrip() + ",shoe_size\r\n").encode(), "unknown column shoe_size"),
    ((HEADER + "é@example.org,Zoë,X,1980-01-01,E4 7AA,,\r\n").encode("latin-1"),
     "It is not UTF-8 text (byte 0xE9 on line 2)"),
    (HEADER.encode() + b"a\x00b", "NUL bytes"),
    (HEADER.encode(), "no members"),
    (b"", "It is empty"),
])
def test_it_refuses_a_file_it_cannot_read_with_a_precise_message(staff, offers, data, says):
    report = member_import_check(data=data, by=staff)

    assert says in " ".join(str(e) for e in report.errors)


def test_it_refuses_anyone_but_national_staff(secretary, auditor, offers):
    for officer in (secretary, auditor):
        with pytest.raises(PermissionRefused):
            member_import_check(data=GOOD, by=officer)


def test_it_checks_then_imports_through_the_pages(client, staff, area, offers):
    client.force_login(staff)

    checked = client.post("/staff/members/import/",
                          {"file": SimpleUploadedFile("old.csv", GOOD, "text/csv")})
    token = checked.context["token"]
    assert 200 == checked.status_code and not Membership.objects.exists()
    assert "3 members checked, no errors" in checked.content.decode()

    done = client.post("/staff/members/import/run/", {"token": token}, follow=True)

    assert "3 members imported." in done.content.decode()
    assert 3 == Membership.objects.count()
    # The same check again: everyone now has a login, so nothing is imported twice.
    again = client.post("/staff/members/import/run/", {"token": token})
    assert 400 == again.status_code and 3 == Membership.objects.count()


def test_it_shows_the_errors_of_a_bad_file_and_a_tampered_token(client, staff, offers):
    client.force_login(staff)

    bad = client.post("/staff/members/import/", {"file": SimpleUploadedFile(
        "bad.csv", (HEADER + "x,Y,Z,1980-01-01,E4 7AA,,\r\n").encode(), "text/csv")})
    tampered = client.post("/staff/members/import/run/", {"token": "nope"})

    assert 400 == bad.status_code
    assert "Enter an e-mail address like name@example.org" in bad.content.decode()
    assert 400 == tampered.status_code and "out of date" in tampered.content.decode()
    assert 405 == client.get("/staff/members/import/run/").status_code
