"""Importing members from a previous system (a CSV file), all or nothing.

``member_import_check`` is the dry run: it reads the whole file and reports
every bad row by its number (the header is row 1, as a spreadsheet shows it)
and field, writing nothing. ``member_import`` checks again and imports only a
file without a single error, in one transaction, each member with a status
history row that says where they came from. A person who already has a login
here is an error, never merged: staff resolve it by hand (duplicates, issue 9
section 3).

The columns (a header row names them, in any order)::

    email, first_name, last_name, date_of_birth, postcode   required
    address, category, status, joined_on                    optional

``category`` is a category's kind (``member`` unless given); ``status`` is
``active`` (the default), ``in_arrears`` or ``lapsed``; dates are YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.branches.postcodes import normalise_postcode
from rankfile.branches.selectors import place_postcode
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import can_import_members
from rankfile.membership.models import Category, Membership, StatusChange
from rankfile.membership.services.references import new_reference

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
REQUIRED = ("email", "first_name", "last_name", "date_of_birth", "postcode")
OPTIONAL = ("address", "category", "status", "joined_on")
IMPORTABLE_STATUSES = (Membership.Status.ACTIVE, Membership.Status.IN_ARREARS,
                       Membership.Status.LAPSED)
CONSENT_VERSION = "import"


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    field: str  # a column's name, or "" for the whole row or file
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class _Row:
    number: int
    email: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    postcode: str
    address: str
    category: Category
    status: str
    joined_on: dt.date | None


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0
    needs_placement: int = 0
    _ok: list[_Row] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


def _bad_text(value: str) -> str | None:
    """What is wrong with a text cell, if anything: control or bidi characters."""
    for c in value:
        if unicodedata.category(c) in ("Cc", "Cf") and c not in "\t":
            return f"Remove the control character (code {ord(c):04X}) from it."
    return None


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _decode(data: bytes) -> tuple[str | None, RowError | None]:
    if b"\x00" in data:
        return None, RowError(0, "", "It holds NUL bytes: it is not a text CSV file. Save it "
                                     "from your spreadsheet as ‘CSV UTF-8’.")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        return None, RowError(line, "", f"It is not UTF-8 text (byte 0x{data[e.start]:02X} "
                                        f"on line {line}). Save it from your spreadsheet as "
                                        "‘CSV UTF-8’ and check it again.")


def member_import_check(*, data: bytes, by: Actor) -> ImportReport:
    """The dry run: every error in the file, by row and field; writes nothing.

    Raises:
        PermissionRefused: ``by`` may not import members.
    """
    if not can_import_members(by):
        raise PermissionRefused("Only national membership staff import members.",
                                code="not_staff")
    report = ImportReport()
    if len(data) > MAX_BYTES:
        report.errors.append(RowError(0, "", f"It is over {MAX_BYTES // 1024 // 1024} MB: "
                                             "split it into smaller files."))
        return report
    text, problem = _decode(data)
    if text is None:
        report.errors.append(problem)  # type: ignore[arg-type]
        return report
    if not text.strip():
        report.errors.append(RowError(0, "", "It is empty: choose the file with the members."))
        return report
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as e:
        report.errors.append(RowError(1, "", f"The header row cannot be read ({e})."))
        return report
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    doubled = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or doubled:
        if missing:
            report.errors.append(RowError(1, "", "Add the column" + ("s " if len(missing) > 1
                                          else " ") + ", ".join(missing) + "."))
        if unknown:
            report.errors.append(RowError(1, "", "Remove or rename the unknown column"
                                          + ("s " if len(unknown) > 1 else " ")
                                          + ", ".join(unknown) + "; the columns are "
                                          + ", ".join(REQUIRED + OPTIONAL) + "."))
        if doubled:
            report.errors.append(RowError(1, "", "Keep one column each of " + ", ".join(doubled)
                                          + "."))
        return report
    categories = {c.kind: c for c in Category.objects.all()}
    seen: dict[str, int] = {}
    today = timezone.localdate()
    number = 1
    try:
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.errors.append(RowError(number, "", f"The file has over {MAX_ROWS:,} "
                                              "members: split it into smaller files."))
                break
            if len(cells) != len(header):
                report.errors.append(RowError(number, "", f"It has {len(cells)} cells, not "
                                              f"{len(header)} as the header has."))
                continue
            row = _check_row(number, dict(zip(header, (c.strip() for c in cells), strict=True)),
                             categories, seen, today, report.errors)
            if row is not None:
                report._ok.append(row)
    except csv.Error as e:
        report.errors.append(RowError(reader.line_num, "", f"It cannot be read as CSV ({e})."))
    if report.rows == 0 and not report.errors:
        report.errors.append(RowError(0, "", "It has a header row but no members."))
    known = set(User.objects.filter(email__in=list(seen)).values_list("email", flat=True))
    for email in sorted(known, key=lambda e: seen[e]):
        report.errors.append(RowError(seen[email], "email", f"{email} already has a login here: "
                                      "remove the row, or resolve the duplicate by hand first."))
    report.errors.sort(key=lambda e: e.row)
    report.needs_placement = sum(1 for r in report._ok if place_postcode(r.postcode) is None)
    return report


def _check_row(number: int, cells: dict[str, str], categories: dict[str, Category],
               seen: dict[str, int], today: dt.date, errors: list[RowError]) -> _Row | None:
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column, value in cells.items():
        problem = _bad_text(value)
        if problem:
            bad(column, problem)
    if len(errors) > before:
        return None
    email = cells["email"].lower()
    try:
        validate_email(email)
    except ValidationError:
        bad("email", f"Enter an e-mail address like name@example.org, not ‘{cells['email'][:60]}’."
            if email else "Enter the member's e-mail address.")
    else:
        if email in seen:
            bad("email", f"{email} is also on row {seen[email]}: one person, one row.")
        else:
            seen[email] = number
    for column, label in (("first_name", "first name"), ("last_name", "last name")):
        if not cells[column]:
            bad(column, f"Enter the member's {label}.")
        elif len(cells[column]) > 100:
            bad(column, f"Shorten the {label} to 100 characters.")
    born = _date(cells["date_of_birth"])
    if born is None:
        bad("date_of_birth", "Enter the date of birth as YYYY-MM-DD, like 1980-05-17.")
    elif not dt.date(1900, 1, 1) <= born < today:
        bad("date_of_birth", "Enter a date of birth in the past, after 1900.")
    postcode = normalise_postcode(cells["postcode"])
    if postcode is None:
        bad("postcode", "Enter a UK postcode, like E4 7AA.")
    address = cells.get("address", "")
    if len(address) > 300:
        bad("address", "Shorten the address to 300 characters.")
    kind = cells.get("category", "") or Category.Kind.MEMBER
    category = categories.get(kind)
    if category is None:
        bad("category", "Enter one of " + ", ".join(sorted(categories)) + ".")
    status = cells.get("status", "") or Membership.Status.ACTIVE
    if status not in IMPORTABLE_STATUSES:
        bad("status", "Enter active, in_arrears or lapsed.")
    joined = None
    if cells.get("joined_on", ""):
        joined = _date(cells["joined_on"])
        if joined is None:
            bad("joined_on", "Enter the day they joined as YYYY-MM-DD, like 2015-09-12.")
        elif joined > today:
            bad("joined_on", "Enter a day that has passed.")
    if len(errors) > before:
        return None
    assert born is not None and postcode is not None and category is not None
    return _Row(number, email, cells["first_name"], cells["last_name"], born, postcode, address,
                category, status, joined)


def member_import(*, data: bytes, filename: str, by: Actor) -> ImportReport:
    """Imports every member of a file without errors, in one transaction.

    Raises:
        PermissionRefused: ``by`` may not import members.
        Refusal: the file has errors (``member_import_check`` lists them); nothing imported.
    """
    report = member_import_check(data=data, by=by)
    if not report.ok:
        raise Refusal(f"The file has {len(report.errors)} error"
                      f"{'s' if len(report.errors) != 1 else ''}: nothing was imported. "
                      "Correct them and check the file again.", code="import_has_errors",
                      field="file")
    now = timezone.now()
    actor = by if isinstance(by, User) else None
    name = (filename or "a file")[:100]
    with transaction.atomic():
        # A login made between the check and here: the unique e-mail refuses it, and
        # the whole import with it.
        for row in report._ok:
            placement = place_postcode(row.postcode)
            user = User(email=row.email, first_name=row.first_name[:150],
                        last_name=row.last_name[:150], date_joined=now)
            user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
            user.save()
            joined = row.joined_on or now.date()
            standing = row.status in (Membership.Status.ACTIVE, Membership.Status.IN_ARREARS)
            membership = Membership.objects.create(
                reference=new_reference("RF-"), user=user, category=row.category,
                status=row.status, first_name=row.first_name, last_name=row.last_name,
                date_of_birth=row.date_of_birth, address=row.address, postcode=row.postcode,
                ward=placement.ward if placement else None,
                branch=placement.branch if placement else None,
                constituency=placement.constituency if placement else None,
                needs_placement=placement is None or placement.branch is None,
                vetting=Membership.Vetting.APPROVED, applied_at=now, joined_on=joined,
                good_standing_since=joined if standing else None,
                ended_on=None if standing else now.date(),
                consent_version=CONSENT_VERSION, consent_at=now)
            StatusChange.objects.create(
                membership=membership, from_status="", to_status=row.status, at=now, by=actor,
                reason=f"Imported from a previous system ({name}, row {row.number})")
            report.imported += 1
    return report
