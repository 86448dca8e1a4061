"""Bank statements: staff import a bank's CSV export; each line is reconciled by reference.

The layout (docs/payments.md): a header row, then one row per transaction with
a date, a description (or reference) and an amount. Our own layout is
``date,reference,amount``; the usual columns of UK banks' exports are
recognised too (``Transaction Date``, ``Transaction Description``, ``Paid in``
and ``Paid out``, ``Credit Amount`` and ``Debit Amount``, ``Memo`` ...).

Checking (``bank_statement_check``) writes nothing: it reports every error by
row and field (wrong encoding, missing column, bad date or amount, hidden
control characters), and how each line would be reconciled:

- *matched*: it quotes one payment reference (``PAY-…``) for that amount, or a
  membership reference (``RF-…``) with a payment due for that amount, or a
  whole number of periods of the member's dues (a standing order);
- *ambiguous*: it quotes a reference we know but cannot be recorded as it is
  (another amount, paid already, two references, an expired application):
  staff decide by hand;
- *unmatched*: it quotes no reference we know;
- *skipped*: money out, or a line imported before (from this statement or an
  overlapping one).

Importing (``bank_statement_import``) does the same in one transaction and
records the matched lines as bank payments; a file with any error imports
nothing, and a line seen before is never recorded twice (each line's key is
unique).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import dateformat, timezone

from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import (
    GOOD_STANDING,
    BankLine,
    BankStatement,
    Membership,
    Payment,
)
from rankfile.membership.services.payments import (
    can_record_payments,
    format_pence,
    payment_check_recordable,
    payment_mark_paid,
)
from rankfile.membership.services.references import _CONFUSABLE, new_reference

OUT = BankLine.Outcome
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_AMOUNT_PENCE = 100_000_000  # a million pounds: anything more is a mistake
ENCODINGS = {"utf-8": "UTF-8 (also with a byte-order mark)",
             "cp1252": "Windows-1252 (older Windows exports)"}

# Header names, compared lower-case with spaces squeezed.
DATE_COLUMNS = ("date", "transaction date", "posting date", "value date", "completed date",
                "date posted")
TEXT_COLUMNS = ("reference", "description", "transaction description", "details",
                "transaction details", "memo", "narrative", "payee", "payer", "name",
                "counter party", "counterparty", "notes", "subcategory", "type",
                "transaction type")
AMOUNT_COLUMNS = ("amount", "amount (gbp)", "amount gbp", "value", "amount (£)")
CREDIT_COLUMNS = ("credit amount", "paid in", "money in", "credit", "credits", "in (£)",
                  "paid in (£)")
DEBIT_COLUMNS = ("debit amount", "paid out", "money out", "debit", "debits", "out (£)",
                 "paid out (£)")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y",
                "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%d.%m.%Y")
# PAY-7K3M9Q2X or RF-…, as banks pass them on: any case, hyphen, space or nothing between.
REFERENCE = re.compile(r"(?<![0-9A-Z])(PAY|RF)[ \-_/.]?([0-9A-Z]{8})(?![0-9A-Z])", re.I)
AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")
# Bidirectional overrides and isolates can make a description read as another on screen.
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is usually row 1
    field: str | None  # date, description, amount, or None for the whole row or file
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        return f"{where}{', ' + self.field if self.field else ''}: {self.message}"


@dataclass(frozen=True)
class Line:
    row: int
    date: dt.date
    description: str
    amount_pence: int
    key: str


@dataclass
class Parsed:
    filename: str
    sha256: str
    lines: list[Line] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Reconciled:
    """What a line is (or would be) after reconciliation."""

    line: Line
    outcome: str
    note: str
    payment: Payment | None = None  # the payment it pays
    membership: Membership | None = None  # dues for this membership (a new payment)
    periods: int = 0

    @property
    def amount(self) -> str:
        sign = "−" if self.line.amount_pence < 0 else ""
        return sign + format_pence(abs(self.line.amount_pence))


@dataclass
class Report:
    filename: str
    sha256: str
    errors: list[RowError]
    lines: list[Reconciled]
    imported_before: BankStatement | None = None
    statement: BankStatement | None = None  # set once imported

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.lines if r.outcome == outcome)

    def of(self, outcome: str) -> list[Reconciled]:
        return [r for r in self.lines if r.outcome == outcome]

    @property
    def count_matched(self) -> int:
        return self.count(OUT.MATCHED)

    @property
    def sections(self) -> list[tuple[str, str, list[Reconciled]]]:
        """(outcome, its label, its lines), in the order staff act on them."""
        return [(o.value, str(o.label), self.of(o.value)) for o in
                (OUT.MATCHED, OUT.AMBIGUOUS, OUT.UNMATCHED, OUT.SKIPPED)]

    @property
    def matched_pence(self) -> int:
        return sum(r.line.amount_pence for r in self.lines if r.outcome == OUT.MATCHED)


# -- reading the file -----------------------------------------------------------------------


def _squeeze(text: str) -> str:
    return " ".join(text.split()).lower()


def _decode(data: bytes, encoding: str, parsed: Parsed) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        parsed.errors.append(RowError(0, None, "The file is UTF-16 text, not a CSV file. "
                                               "Export it again as ‘CSV’ or ‘CSV UTF-8’."))
        return None
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    # Find the rows that cannot be read, to say where (UTF-8 can be cut at line ends).
    name, other = ("UTF-8", "Windows-1252") if encoding == "utf-8" else ("Windows-1252", "UTF-8")
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode(codec if number == 1 else encoding)
        except UnicodeDecodeError:
            parsed.errors.append(RowError(number, None, f"This row is not {name} text. Choose "
                                                        f"{other} as the encoding, or export "
                                                        "the statement again as CSV UTF-8."))
            if len(parsed.errors) >= 20:
                break
    return None


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _amount(raw: str) -> int | None:
    """'£1,234.50' → 123450; '-25.00', '(25.00)' → -2500; None if it is not an amount."""
    text = raw.strip().replace("£", "").replace(" ", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        text, negative = text[1:-1], True
    if text[:1] in "+-" and text:
        negative, text = negative or text[0] == "-", text[1:].lstrip("£")
    match = AMOUNT.match(text)
    if not match:
        return None
    pence = int(match.group(1).replace(",", "")) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    return -pence if negative else pence


def _date(raw: str) -> dt.date | None:
    text = " ".join(raw.split())
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _unreadable(text: str) -> str | None:
    if "\x00" in text:
        return "It contains a NUL character."
    if any(c in BIDI for c in text):
        return "It contains hidden characters that change the direction of text."
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\t" for c in text):
        return "It contains control characters."
    return None


def _header(rows: list[list[str]]) -> tuple[int, list[str]] | None:
    """The header row (index, names): the first naming a date and an amount.

    Banks put a few lines about the account above it.
    """
    for at, row in enumerate(rows[:10]):
        header = [_squeeze(c) for c in row]
        if _find(header, DATE_COLUMNS) is not None and (
                _find(header, AMOUNT_COLUMNS) is not None
                or _find(header, CREDIT_COLUMNS) is not None):
            return at, header
    return None


def _missing_columns(row: list[str]) -> RowError:
    header = [_squeeze(c) for c in row]
    missing = []
    if _find(header, DATE_COLUMNS) is None:
        missing.append("date (‘Date’ or ‘Transaction Date’)")
    if _find(header, AMOUNT_COLUMNS) is None and _find(header, CREDIT_COLUMNS) is None:
        missing.append("amount (‘Amount’, or ‘Paid in’ and ‘Paid out’)")
    if _find(header, TEXT_COLUMNS) is None:
        missing.append("description (‘Reference’ or ‘Description’)")
    return RowError(1, None, "The header row has no " + " and no ".join(missing)
                    + " column. The first row must name the columns: date, reference, amount.")


def bank_statement_parse(*, data: bytes, filename: str, encoding: str = "utf-8",
                         today: dt.date | None = None) -> Parsed:
    """The statement's lines and, row by row, everything wrong with it. Writes nothing."""
    name = "".join(c for c in (filename or "") if unicodedata.category(c)[0] != "C").strip()
    parsed = Parsed(filename=(name or "statement.csv")[:200],
                    sha256=hashlib.sha256(data).hexdigest())
    if encoding not in ENCODINGS:
        parsed.errors.append(RowError(0, None, "Choose the file's encoding from the list."))
        return parsed
    if not data.strip():
        parsed.errors.append(RowError(0, None, "The file is empty. Export the statement "
                                               "again as CSV."))
        return parsed
    if len(data) > MAX_BYTES:
        parsed.errors.append(RowError(0, None, f"The file is over {MAX_BYTES // 1024 // 1024} "
                                               "MB. Export a shorter period."))
        return parsed
    text = _decode(data, encoding, parsed)
    if text is None:
        return parsed
    today = today or timezone.localdate()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) > MAX_ROWS + 10:
        parsed.errors.append(RowError(0, None, f"The file has over {MAX_ROWS:,} rows. Export "
                                               "a shorter period."))
        return parsed
    found = _header(rows)
    if found is None:
        parsed.errors.append(_missing_columns(rows[0] if rows else []))
        return parsed
    at, header = found
    date_at = _find(header, DATE_COLUMNS)
    amount_at = _find(header, AMOUNT_COLUMNS)
    credit_at, debit_at = _find(header, CREDIT_COLUMNS), _find(header, DEBIT_COLUMNS)
    assert date_at is not None
    text_at = [i for i, name in enumerate(header) if name in TEXT_COLUMNS]
    if not text_at:
        parsed.errors.append(RowError(at + 1, None, "The header row has no description column "
                                                    "(‘Reference’ or ‘Description’)."))
        return parsed
    seen: Counter[tuple[dt.date, int, str]] = Counter()
    for offset, row in enumerate(rows[at + 1:], start=at + 2):
        if len(parsed.errors) >= 100:  # enough to show what is wrong
            break
        if not any(cell.strip() for cell in row):
            continue
        line = _line(row, offset, header, date_at, amount_at, credit_at, debit_at, text_at,
                     today, parsed)
        if line is None:
            continue
        identity = (line[0], line[2], _squeeze(line[1]))
        seen[identity] += 1
        key = hashlib.sha256(f"{identity[0]}|{identity[1]}|{identity[2]}|{seen[identity]}"
                             .encode()).hexdigest()
        parsed.lines.append(Line(row=offset, date=line[0], description=line[1],
                                 amount_pence=line[2], key=key))
    if not parsed.lines and not parsed.errors:
        parsed.errors.append(RowError(0, None, "The file has a header but no transactions."))
    return parsed


def _line(row: list[str], number: int, header: list[str], date_at: int,
          amount_at: int | None, credit_at: int | None, debit_at: int | None,
          text_at: list[int], today: dt.date, parsed: Parsed
          ) -> tuple[dt.date, str, int] | None:
    def cell(i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    errors = len(parsed.errors)
    for value in row:
        problem = _unreadable(value)
        if problem:
            parsed.errors.append(RowError(number, None, problem + " Type the row again."))
            return None
    day = _date(cell(date_at))
    if not cell(date_at):
        parsed.errors.append(RowError(number, "date", "There is no date."))
    elif day is None:
        parsed.errors.append(RowError(number, "date", f"‘{cell(date_at)[:20]}’ is not a date; "
                                                      "write it like 18/11/2026."))
    elif day > today + dt.timedelta(days=1):
        parsed.errors.append(RowError(number, "date", f"{day:%d/%m/%Y} is in the future."))
    description = " ".join(" ".join(cell(i).split()) for i in text_at if cell(i))[:300]
    # One signed amount column, or money in and money out in two.
    column = amount_at if amount_at is not None else credit_at
    if amount_at is None and not cell(credit_at) and cell(debit_at):
        column = debit_at
    assert column is not None
    raw, label = cell(column), header[column]
    amount = _amount(raw) if raw else None
    if amount is not None and column == debit_at:
        amount = -abs(amount)
    if not raw:
        parsed.errors.append(RowError(number, "amount", "There is no amount."))
    elif amount is None:
        parsed.errors.append(RowError(number, "amount", f"‘{raw[:20]}’ in ‘{label}’ is not an "
                                                        "amount of money; write it like "
                                                        "25.00."))
    elif abs(amount) > MAX_AMOUNT_PENCE:
        parsed.errors.append(RowError(number, "amount", f"{format_pence(abs(amount))} is more "
                                                        "than a statement line can be."))
    if len(parsed.errors) > errors or day is None or amount is None:
        return None
    return day, description, amount


# -- reconciling ----------------------------------------------------------------------------


def _references(description: str) -> list[str]:
    found = []
    for prefix, code in REFERENCE.findall(description):
        reference = f"{prefix.upper()}-{code.upper().translate(_CONFUSABLE)}"
        if reference not in found:
            found.append(reference)
    return found


def _on(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


def _reconcile(lines: list[Line], *, lock: bool) -> list[Reconciled]:
    """How each line reconciles, from what the database holds now (rows locked if ``lock``)."""
    refs = {line.key: _references(line.description) for line in lines}
    wanted = {r for found in refs.values() for r in found}
    payments_q = Payment.objects.select_related("membership", "membership__rate")
    members_q = Membership.objects.select_related("rate")
    if lock:
        payments_q = payments_q.select_for_update(of=("self",))
        members_q = members_q.select_for_update(of=("self",))
    members = {m.reference: m for m in members_q.filter(
        reference__in=[r for r in wanted if r.startswith("RF-")]).order_by("pk")}
    payments = {p.reference: p for p in payments_q.filter(
        reference__in=[r for r in wanted if r.startswith("PAY-")]).order_by("pk")}
    pending: dict[int, list[Payment]] = {}
    for p in Payment.objects.filter(membership__in=list(members.values()),
                                    status=Payment.Status.PENDING).order_by("created_at"):
        pending.setdefault(p.membership_id, []).append(p)
    imported = dict(BankLine.objects.filter(key__in=[line.key for line in lines])
                    .values_list("key", "statement_id"))
    taken: dict[int, int] = {}  # payment pk → the row that pays it in this file
    result = []
    for line in lines:
        result.append(_one(line, refs[line.key], payments, members, pending, imported, taken))
    return result


def _one(line: Line, refs: list[str], payments: dict[str, Payment],
         members: dict[str, Membership], pending: dict[int, list[Payment]],
         imported: dict[str, int], taken: dict[int, int]) -> Reconciled:
    if line.key in imported:
        return Reconciled(line, OUT.SKIPPED, f"Imported before, from statement "
                                           f"{imported[line.key]}.")
    if line.amount_pence <= 0:
        return Reconciled(line, OUT.SKIPPED, "Money out." if line.amount_pence else "Nothing paid.")
    known = [r for r in refs if r in payments or r in members]
    # A payment reference and its own membership's reference name one thing.
    targets = {payments[r].membership.reference if r in payments else r for r in known}
    if not known:
        if refs:
            return Reconciled(line, OUT.UNMATCHED, f"{', '.join(refs)} is not a reference we "
                                                 "know.")
        return Reconciled(line, OUT.UNMATCHED, "No payment or membership reference.")
    if len(targets) > 1:
        return Reconciled(line, OUT.AMBIGUOUS, f"It quotes more than one reference: "
                                             f"{', '.join(known)}.")
    payment_refs = [r for r in known if r in payments]
    if payment_refs:
        return _pays(line, payments[payment_refs[0]], taken)
    return _dues(line, members[known[0]], pending, taken)


def _pays(line: Line, payment: Payment, taken: dict[int, int]) -> Reconciled:
    at = _paid_at(line)
    if payment.pk in taken:
        return Reconciled(line, OUT.AMBIGUOUS, f"Row {taken[payment.pk]} pays {payment.reference} "
                                             "too: is this a second payment?", payment)
    try:
        payment_check_recordable(payment, payment.membership, min(at, timezone.now()))
    except Refusal as e:
        return Reconciled(line, OUT.AMBIGUOUS, e.message, payment)
    if line.amount_pence != payment.amount_pence:
        return Reconciled(line, OUT.AMBIGUOUS, f"{payment.reference} is for "
                                             f"{format_pence(payment.amount_pence)}, not "
                                             f"{format_pence(line.amount_pence)}.", payment)
    taken[payment.pk] = line.row
    return Reconciled(line, OUT.MATCHED, f"Pays {payment.reference} "
                                       f"({payment.membership.full_name}).", payment)


def _dues(line: Line, membership: Membership, pending: dict[int, list[Payment]],
          taken: dict[int, int]) -> Reconciled:
    for payment in pending.get(membership.pk, []):
        if payment.amount_pence == line.amount_pence and payment.pk not in taken:
            payment.membership = membership
            return _pays(line, payment, taken)
    rate = membership.rate
    if membership.status not in GOOD_STANDING:
        return Reconciled(line, OUT.AMBIGUOUS, f"{membership.reference} is "
                                             f"{membership.get_status_display().lower()}: "
                                             "decide whether to take the payment.",
                          membership=membership)
    if rate is None or not rate.amount_pence:
        return Reconciled(line, OUT.AMBIGUOUS, f"{membership.reference} pays no dues and owes "
                                             "no payment of this amount.", membership=membership)
    periods, rest = divmod(line.amount_pence, rate.amount_pence)
    if rest or not periods or periods > 120:
        return Reconciled(line, OUT.AMBIGUOUS, f"{format_pence(line.amount_pence)} is not a whole "
                                             f"number of {membership.reference}'s "
                                             f"{format_pence(rate.amount_pence)} dues.",
                          membership=membership)
    unit = "month" if rate.period == "monthly" else "year"
    return Reconciled(line, OUT.MATCHED, f"Dues of {membership.reference} "
                                       f"({membership.full_name}): {periods} {unit}"
                                       f"{'s' if periods != 1 else ''}.",
                      membership=membership, periods=periods)


def _paid_at(line: Line) -> dt.datetime:
    """Midday on the line's date, London time (a statement gives days, not times)."""
    return dt.datetime.combine(line.date, dt.time(12), tzinfo=timezone.get_current_timezone())


# -- the services ---------------------------------------------------------------------------


def _refuse_unless_staff(by: AnyUser | None) -> User:
    if not can_record_payments(by) or not isinstance(by, User):
        raise PermissionRefused("Only membership staff can import bank statements.")
    return by


def bank_statement_check(*, data: bytes, filename: str, by: AnyUser | None, encoding: str = "utf-8"
                         ) -> Report:
    """The dry run: what importing the statement would do, and every error in it. Writes nothing.

    Raises:
        PermissionRefused: ``by`` is not membership staff.
    """
    _refuse_unless_staff(by)
    parsed = bank_statement_parse(data=data, filename=filename, encoding=encoding)
    lines = _reconcile(parsed.lines, lock=False) if not parsed.errors else []
    before = BankStatement.objects.filter(sha256=parsed.sha256).order_by("imported_at").first()
    return Report(filename=parsed.filename, sha256=parsed.sha256, errors=parsed.errors,
                  lines=lines, imported_before=before)


class StatementHasErrors(Refusal):
    """A statement with errors: nothing was imported; ``errors`` says where."""

    code = "statement_has_errors"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"The statement has {len(errors)} error{'s' if len(errors) != 1 else ''}"
                         ": nothing was imported. Correct the file and check it again.",
                         field="statement")
        self.errors = errors


def bank_statement_import(*, data: bytes, filename: str, by: AnyUser | None, encoding: str = "utf-8",
                          now: dt.datetime | None = None) -> Report:
    """Import a statement: record every matched line as a bank payment, keep the report.

    All in one transaction. A line imported before (its key is unique) is
    skipped, so importing a statement twice, or two that overlap, records
    nothing twice.

    Raises:
        PermissionRefused: ``by`` is not membership staff.
        StatementHasErrors: the file has errors; nothing is written.
        Refusal: another import of the same lines ran at the same moment (try again).
    """
    staff = _refuse_unless_staff(by)
    parsed = bank_statement_parse(data=data, filename=filename, encoding=encoding)
    if parsed.errors:
        raise StatementHasErrors(parsed.errors)
    now = now or timezone.now()
    before = BankStatement.objects.filter(sha256=parsed.sha256).order_by("imported_at").first()
    try:
        with transaction.atomic():
            statement = BankStatement.objects.create(
                filename=parsed.filename, sha256=parsed.sha256, imported_at=now,
                imported_by=staff, rows=len(parsed.lines))
            lines = _reconcile(parsed.lines, lock=True)
            rows = []
            for item in lines:
                if item.outcome == OUT.SKIPPED and item.line.key and item.note.startswith(
                        "Imported before"):
                    continue  # its line is kept with the statement it came from
                if item.outcome == OUT.MATCHED:
                    item.payment = _record(item, statement, staff, now)
                rows.append(BankLine(
                    statement=statement, row=item.line.row, key=item.line.key,
                    date=item.line.date, description=item.line.description,
                    amount_pence=item.line.amount_pence, outcome=item.outcome,
                    note=item.note[:300], payment=item.payment))
            BankLine.objects.bulk_create(rows, batch_size=500)
    except IntegrityError:
        raise Refusal("Another import of these lines ran at the same moment. Open the list of "
                      "statements to see what was recorded, then check this file again.",
                      code="import_conflict") from None
    return Report(filename=parsed.filename, sha256=parsed.sha256, errors=[], lines=lines,
                  imported_before=before, statement=statement)


def _record(item: Reconciled, statement: BankStatement, by: User, now: dt.datetime
            ) -> Payment:
    note = f"Bank statement {statement.pk} ({statement.filename[:100]}), row {item.line.row}"
    paid_at = _paid_at(item.line)
    if item.payment is not None:
        # Never before the reference existed (a statement gives days, not times).
        paid_at = max(paid_at, item.payment.created_at)
        return payment_mark_paid(payment=item.payment, membership=item.payment.membership,
                                 method=Payment.Method.BANK, paid_at=paid_at, by=by, note=note,
                                 now=now)
    membership = item.membership
    assert membership is not None and membership.rate is not None
    payment = Payment(membership=membership, provider="offline",
                      reference=new_reference("PAY-"), amount_pence=item.line.amount_pence,
                      created_at=now, periods=item.periods)
    return payment_mark_paid(payment=payment, membership=membership, method=Payment.Method.BANK,
                             paid_at=paid_at, by=by, note=note, now=now)


def bank_statement_list(*, limit: int = 20) -> list[tuple[BankStatement, dict[str, int]]]:
    """The latest imported statements, each with how many lines had each outcome."""
    statements = list(BankStatement.objects.select_related("imported_by")[:limit])
    counts: dict[int, dict[str, int]] = {s.pk: dict.fromkeys(OUT.values, 0) for s in statements}
    rows = (BankLine.objects.filter(statement__in=statements).order_by()
            .values_list("statement_id", "outcome").annotate(n=Count("pk")))
    for sid, outcome, n in rows:
        counts[sid][outcome] = n
    return [(s, counts[s.pk]) for s in statements]


def bank_statement_report(*, statement: BankStatement, by: AnyUser | None) -> Report:
    """The report kept from an import: each line as it was reconciled then.

    Raises:
        PermissionRefused: ``by`` is not membership staff.
    """
    _refuse_unless_staff(by)
    lines = [Reconciled(Line(row=b.row, date=b.date, description=b.description,
                             amount_pence=b.amount_pence, key=b.key), b.outcome, b.note,
                        payment=b.payment)
             for b in statement.lines.select_related("payment").order_by("row")]
    return Report(filename=statement.filename, sha256=statement.sha256, errors=[], lines=lines,
                  statement=statement)
