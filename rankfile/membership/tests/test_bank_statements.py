import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.errors import PermissionRefused
from rankfile.membership.models import BankLine, BankStatement, Membership, Payment
from rankfile.membership.services.bank import (
    StatementHasErrors,
    _amount,
    _references,
    bank_statement_check,
    bank_statement_import,
    bank_statement_parse,
)
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.references import new_reference
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import joiner, make_offers, payment_of

S = Membership.Status
O = BankLine.Outcome  # noqa: E741


def day(days_ago: int = 1) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).strftime("%d/%m/%Y")


def statement(*rows: tuple[str, str, str], header: str = "Date,Reference,Amount") -> bytes:
    lines = [header] + [",".join(f'"{c}"' for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def people(area):
    """Two applicants who owe £25, and a member paying £4.50 a month by standing order."""
    offers = make_offers()
    ada = payment_of(membership_apply(data=joiner()))
    bob = payment_of(membership_apply(data=joiner(email="bob@example.org", first_name="Bob")))
    member = make_member_in(area, rate=offers.standard)
    make_payment(member, amount_pence=450, periods=1)
    return ada, bob, member


def outcomes(report):
    return [(r.line.row, r.outcome) for r in report.lines]


def test_it_reconciles_each_line_in_a_dry_run_and_writes_nothing(people, staff):
    ada, bob, member = people
    data = statement(
        (day(), f"BGC {ada.reference} ADA JOINER", "25.00"),
        (day(), f"FPI {bob.reference}", "20.00"),
        (day(), "PAY-ZZZZZZZZ", "25.00"),
        (day(), "CASH DEPOSIT", "40.00"),
        (day(), f"{ada.reference} {bob.reference}", "50.00"),
        (day(), "DD BRITISH GAS", "-54.10"),
        (day(), f"SO {member.reference} DUES", "9.00"),
        (day(), f"SO {member.reference}", "5.00"),
    )

    report = bank_statement_check(data=data, filename="nov.csv", by=staff)

    assert [(2, O.MATCHED), (3, O.AMBIGUOUS), (4, O.UNMATCHED), (5, O.UNMATCHED),
            (6, O.AMBIGUOUS), (7, O.SKIPPED), (8, O.MATCHED), (9, O.AMBIGUOUS)] == outcomes(report)
    notes = [r.note for r in report.lines]
    assert f"{bob.reference} is for £25.00, not £20.00." == notes[1]
    assert "PAY-ZZZZZZZZ is not a reference we know." == notes[2]
    assert "2 months" in notes[6] and "not a whole number" in notes[7]
    assert (0, 0, 2) == (BankStatement.objects.count(), BankLine.objects.count(),
                         Payment.objects.filter(status=Payment.Status.PENDING).count())


def test_it_imports_the_matched_lines_as_bank_payments(people, staff):
    ada, bob, member = people
    Payment.objects.filter(pk=ada.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    data = statement((day(2), f"{ada.reference}", "25.00"),
                     (day(1), f"SO {member.reference}", "9.00"),
                     (day(1), "UNKNOWN PAYER", "10.00"))

    report = bank_statement_import(data=data, filename="nov.csv", by=staff)

    ada.refresh_from_db()
    assert (Payment.Status.PAID, Payment.Method.BANK, staff) == (ada.status, ada.method,
                                                                ada.recorded_by)
    assert timezone.localdate(ada.paid_at) == timezone.localdate() - dt.timedelta(days=2)
    assert S.ACTIVE == Membership.objects.get(pk=ada.membership_id).status
    dues = member.payments.get(periods=2)
    assert (Payment.Status.PAID, 900) == (dues.status, dues.amount_pence)
    assert report.statement is not None
    lines = list(report.statement.lines.order_by("row").values_list("outcome", "payment"))
    assert [(O.MATCHED, ada.pk), (O.MATCHED, dues.pk), (O.UNMATCHED, None)] == lines


def test_it_records_nothing_twice_from_the_same_statement(people, staff):
    ada, _, member = people
    data = statement((day(), ada.reference, "25.00"), (day(), f"SO {member.reference}", "4.50"))
    bank_statement_import(data=data, filename="nov.csv", by=staff)
    paid = Payment.objects.filter(status=Payment.Status.PAID).count()

    check = bank_statement_check(data=data, filename="nov.csv", by=staff)
    again = bank_statement_import(data=data, filename="nov.csv", by=staff)

    assert check.imported_before is not None
    assert [O.SKIPPED, O.SKIPPED] == [r.outcome for r in again.lines]
    assert paid == Payment.objects.filter(status=Payment.Status.PAID).count()
    assert 2 == BankLine.objects.count()


def test_it_records_only_the_new_lines_of_an_overlapping_statement(people, staff):
    ada, bob, member = people
    first = statement((day(3), f"SO {member.reference}", "4.50"), (day(2), ada.reference, "25.00"))
    bank_statement_import(data=first, filename="1.csv", by=staff)
    second = statement((day(2), ada.reference, "25.00"), (day(1), bob.reference, "25.00"))

    report = bank_statement_import(data=second, filename="2.csv", by=staff)

    assert [O.SKIPPED, O.MATCHED] == [r.outcome for r in report.lines]
    assert 2 == Payment.objects.filter(method=Payment.Method.BANK, periods=None).count()


def test_it_records_two_identical_standing_orders_on_one_day(people, staff):
    _, _, member = people
    data = statement((day(), f"SO {member.reference}", "4.50"),
                     (day(), f"SO {member.reference}", "4.50"))

    report = bank_statement_import(data=data, filename="nov.csv", by=staff)

    assert [O.MATCHED, O.MATCHED] == [r.outcome for r in report.lines]
    assert 3 == member.payments.filter(status=Payment.Status.PAID).count()


def test_it_leaves_a_second_payment_of_one_reference_to_staff(people, staff):
    ada, _, _ = people
    data = statement((day(), ada.reference, "25.00"), (day(), ada.reference, "25.00"))

    report = bank_statement_check(data=data, filename="nov.csv", by=staff)

    assert [O.MATCHED, O.AMBIGUOUS] == [r.outcome for r in report.lines]
    assert "Row 2 pays" in report.lines[1].note


def test_it_leaves_money_for_an_expired_application_to_staff(people, staff):
    ada, _, _ = people
    Membership.objects.filter(pk=ada.membership_id).update(status=S.EXPIRED)

    report = bank_statement_import(data=statement((day(), ada.reference, "25.00")),
                                   filename="nov.csv", by=staff)

    assert O.AMBIGUOUS == report.lines[0].outcome
    assert "expired unpaid" in report.lines[0].note
    assert Payment.Status.PENDING == Payment.objects.get(pk=ada.pk).status


def test_it_reads_a_bank_export_with_money_in_and_out_columns(people, staff):
    ada, _, member = people
    data = (
        "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,"
        "Debit Amount,Credit Amount,Balance\r\n"
        f"{day()},FPI,'30-00-00,12345678,{ada.reference.lower().replace('-', ' ')} A JOINER,,"
        "25.00,1025.00\r\n"
        f"{day()},DD,'30-00-00,12345678,COUNCIL TAX,120.00,,905.00\r\n"
    ).encode()

    report = bank_statement_check(data=data, filename="lloyds.csv", by=staff)

    assert [O.MATCHED, O.SKIPPED] == [r.outcome for r in report.lines]
    assert -12000 == report.lines[1].line.amount_pence


def test_it_reads_windows_1252_with_lines_above_the_header(people, staff):
    ada, _, _ = people
    data = ('"Account Name:","Membership account"\r\n"Account Balance:","£1,025.00"\r\n\r\n'
            '"Date","Transaction type","Description","Paid out","Paid in","Balance"\r\n'
            f'"{day()}","Bank credit","{ada.reference}","","£25.00","£1,025.00"\r\n'
            ).encode("cp1252")

    report = bank_statement_check(data=data, filename="nationwide.csv", by=staff,
                                  encoding="cp1252")

    assert [] == report.errors
    assert [(5, O.MATCHED)] == outcomes(report)


# -- bad files: every error by row and field, nothing imported -------------------------------


def errors(data: bytes, encoding: str = "utf-8") -> list[str]:
    return [str(e) for e in bank_statement_parse(data=data, filename="x.csv",
                                                 encoding=encoding).errors]


def test_it_reports_a_wrong_encoding_by_row(people):
    data = statement((day(), "PAY-ONE", "25.00"), (day(), "Café £", "25.00")).replace(
        "Café £".encode(), "Café £".encode("cp1252"))

    assert ["Row 3: This row is not UTF-8 text. Choose Windows-1252 as the encoding, or export "
            "the statement again as CSV UTF-8."] == errors(data)


def test_it_reports_utf_16_as_the_wrong_kind_of_file(people):
    data = "Date,Reference,Amount\r\n".encode("utf-16")

    assert "UTF-16" in errors(data)[0]


def test_it_reports_a_missing_column(people):
    assert ["Row 1: The header row has no amount (‘Amount’, or ‘Paid in’ and ‘Paid out’) column. "
            "The first row must name the columns: date, reference, amount."] == errors(
        statement((day(), "PAY-X", "25.00"), header="Date,Reference,Sum"))


@pytest.mark.parametrize(("amount", "message"), [
    ("12,50", "Row 2, amount: ‘12,50’ in ‘amount’ is not an amount of money; write it like "
              "25.00."),
    ("25.001", "Row 2, amount: ‘25.001’ in ‘amount’ is not an amount of money; write it like "
               "25.00."),
    ("", "Row 2, amount: There is no amount."),
    ("9999999.00", "Row 2, amount: £9,999,999.00 is more than a statement line can be."),
])
def test_it_reports_a_bad_amount_by_row_and_field(people, amount, message):
    assert [message] == errors(statement((day(), "PAY-X", amount)))


def test_it_reports_bad_and_future_dates(people):
    future = (timezone.localdate() + dt.timedelta(days=5)).strftime("%d/%m/%Y")

    assert ["Row 2, date: ‘31/02/2026’ is not a date; write it like 18/11/2026.",
            f"Row 3, date: {future} is in the future."] == errors(
        statement(("31/02/2026", "PAY-X", "1.00"), (future, "PAY-Y", "1.00")))


@pytest.mark.parametrize("text", ["PAY\x00X", "\u202ePAY-X", "PAY\x07X"])
def test_it_refuses_hidden_characters(people, text):
    [message] = errors(statement((day(), text, "1.00")))

    assert message.startswith("Row 2: It contains")


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"Date,Reference,Amount\r\n"])
def test_it_reports_an_empty_statement(people, data):
    assert 1 == len(errors(data))


def test_it_imports_nothing_from_a_file_with_an_error(people, staff):
    ada, bob, _ = people
    data = statement((day(), ada.reference, "25.00"), (day(), bob.reference, "twenty"))

    with pytest.raises(StatementHasErrors) as e:
        bank_statement_import(data=data, filename="nov.csv", by=staff)

    assert ["Row 3, amount: ‘twenty’ in ‘amount’ is not an amount of money; write it like "
            "25.00."] == [str(x) for x in e.value.errors]
    assert (0, Payment.Status.PENDING) == (BankStatement.objects.count(),
                                           Payment.objects.get(pk=ada.pk).status)


def test_it_lets_only_staff_check_or_import(people, secretary):
    data = statement((day(), "PAY-X", "1.00"))

    with pytest.raises(PermissionRefused):
        bank_statement_check(data=data, filename="x.csv", by=secretary)
    with pytest.raises(PermissionRefused):
        bank_statement_import(data=data, filename="x.csv", by=secretary)


# -- the rules, for any reference and any amount ---------------------------------------------


noise = st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ ,./:", max_size=12).map(lambda s: s.strip())


@given(st.sampled_from(["PAY-", "RF-"]), st.sampled_from(["-", " ", "", "/"]),
       st.booleans(), noise, noise)
def test_it_finds_a_reference_however_the_bank_passed_it_on(prefix, joint, lower, before,
                                                           after):
    reference = new_reference(prefix)
    quoted = reference.replace("-", joint)
    quoted = quoted.lower() if lower else quoted
    text = f"{before} {quoted} {after}".strip()

    assert reference in _references(text)


@given(st.integers(min_value=0, max_value=99_999_999), st.booleans(),
       st.sampled_from(["{}", "£{}", "-{}", "-£{}", "({})"]))
def test_it_reads_back_any_amount_written_as_banks_write_it(pence, commas, shape):
    pounds = f"{pence // 100:,}" if commas else str(pence // 100)
    written = shape.format(f"{pounds}.{pence % 100:02d}")

    expected = -pence if shape[0] in "-(" else pence
    assert expected == _amount(written)


# -- the staff page -------------------------------------------------------------------------


def upload(client, data, *, encoding="utf-8", name="nov.csv"):
    return client.post("/staff/payments/statements/", {
        "statement": SimpleUploadedFile(name, data, content_type="text/csv"),
        "encoding": encoding})


def test_it_checks_then_imports_from_the_page(client, people, staff):
    ada, _, _ = people
    client.force_login(staff)
    data = statement((day(), ada.reference, "25.00"), (day(), "NOBODY", "3.00"))

    checked = upload(client, data)
    page = checked.content.decode()
    assert 200 == checked.status_code
    assert "Matched and recorded: 1" in page and "Unmatched: no known reference: 1" in page
    assert Payment.Status.PENDING == Payment.objects.get(pk=ada.pk).status
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]

    imported = client.post("/staff/payments/statements/import/", {"token": token})

    statement_row = BankStatement.objects.get()
    assert (302, f"/staff/payments/statements/{statement_row.pk}/") == (
        imported.status_code, imported["Location"])
    page = client.get(imported["Location"]).content.decode()
    assert "Statement imported: 1 payment recorded (£25.00)." in page
    assert Payment.Status.PAID == Payment.objects.get(pk=ada.pk).status
    listing = client.get("/staff/payments/statements/").content.decode()
    assert "nov.csv" in listing


def test_it_lists_the_errors_and_offers_no_import(client, people, staff):
    client.force_login(staff)

    response = upload(client, statement((day(), "PAY-X", "12,50")))

    page = response.content.decode()
    assert 400 == response.status_code
    assert "Row 2, amount:" in page and 'class="error-summary"' in page
    assert 'name="token"' not in page


def test_it_refuses_a_tampered_import(client, people, staff):
    client.force_login(staff)

    response = client.post("/staff/payments/statements/import/", {"token": "forged:token"})

    assert 400 == response.status_code
    assert "Upload the statement and check it again" in response.content.decode()
    assert 0 == BankStatement.objects.count()


def test_it_keeps_the_statement_pages_for_staff(client, people, secretary):
    client.force_login(secretary)

    assert 403 == client.get("/staff/payments/statements/").status_code
    assert 403 == upload(client, statement((day(), "PAY-X", "1.00"))).status_code
    assert 403 == client.post("/staff/payments/statements/import/", {"token": "x"}).status_code


def test_it_allows_only_post_to_import(client, people, staff):
    client.force_login(staff)

    assert 405 == client.get("/staff/payments/statements/import/").status_code


def test_it_keeps_a_readable_file_name(people, staff):
    report = bank_statement_check(data=statement((day(), "NOBODY", "1.00")),
                                  filename="nov\x00\u202e.csv", by=staff)

    assert "nov.csv" == report.filename


def test_it_never_dates_a_payment_before_its_reference_existed(people, staff):
    ada, _, _ = people

    bank_statement_import(data=statement((day(3), ada.reference, "25.00")), filename="x.csv",
                          by=staff)

    ada.refresh_from_db()
    assert ada.created_at == ada.paid_at
