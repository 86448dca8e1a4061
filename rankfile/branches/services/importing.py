"""Importing local structure from CSV files: wards, branches and postcodes.

The files have the layouts of ``rankfile/branches/data/waltham_forest/`` (the
same for any area):

- wards.csv: ward_code, ward_name, constituency_code, constituency_name,
  lad_code, lad_name, region_name (ONS codes; one row per ward and constituency)
- branches.csv: branch_code, branch_name, constituency_code, ward_code, ward_name
  (one row per ward: the branch it belongs to)
- postcodes.csv: postcode, ward_code

``geo_import`` reads and checks every row of every file first. If anything is
wrong it raises ``GeoImportRefused`` listing each bad row by number and field,
and writes nothing. Otherwise it writes everything in one transaction.

Decisions worth knowing:

- Row numbers are those a spreadsheet shows: the header is row 1.
- A split ward (one that straddles constituencies, listed once per
  constituency, as in the ONS all-England-and-Wales lookup) is kept once, in
  the first constituency listed, with a warning; unless branches.csv puts it in
  a branch of another of its listed constituencies, or it is already in one of
  them, which is then kept.
- branches.csv states where the wards it lists belong; wards it does not list
  keep their branch. A listed ward now in another branch is a boundary change:
  the old placement closes the day before ``effective_from``, a new one opens
  on it. This app knows places, not people: the import lists each ward that
  moved (``GeoImportReport.moves``) and calls ``follow`` with them in the same
  transaction; the membership app's ``members_follow_boundaries`` moves the
  ward's members (``rankfile import_geo`` passes it).
- Postcodes not in postcodes.csv are kept; a listed postcode in another ward
  is moved to the ward given.
- Re-running with the same files changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from rankfile.branches.models import Body, Postcode, Ward, WardPlacement
from rankfile.branches.postcodes import normalise_postcode
from rankfile.branches.selectors import organisation_get, place_postcode_forget
from rankfile.core.errors import Refusal
from rankfile.core.text import bidi_control_in

WARD_COLUMNS = (
    "ward_code", "ward_name", "constituency_code", "constituency_name",
    "lad_code", "lad_name", "region_name",
)
BRANCH_COLUMNS = ("branch_code", "branch_name", "constituency_code", "ward_code")
POSTCODE_COLUMNS = ("postcode", "ward_code")

# ONS (GSS) codes: three characters naming the kind of area, then six digits.
WARD_CODE = re.compile(r"^[EW]05[0-9]{6}$")
CONSTITUENCY_CODE = re.compile(r"^(?:E14|W07)[0-9]{6}$")
LAD_CODE = re.compile(r"^(?:E06|E07|E08|E09|W06)[0-9]{6}$")
BRANCH_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")

SHOWN_ERRORS = 50
ORGANISATION_CODE = "ORG"
# A chunk of values per IN (...) query, under SQLite's limit on parameters.
CHUNK = 900


class GeoImportRefused(Refusal):
    """The files have errors; nothing was imported. ``errors`` lists them all."""

    code = "geo_import_invalid"

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:SHOWN_ERRORS]
        lines = [
            f"Nothing was imported: {len(errors)} problem{'s' if len(errors) != 1 else ''} "
            "found. Row numbers count the header as row 1, as a spreadsheet shows them. "
            "Correct the files and run the import again.",
            *shown,
        ]
        if len(errors) > len(shown):
            lines.append(f"… and {len(errors) - len(shown)} more.")
        super().__init__("\n".join(lines))


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class WardMove:
    """A ward that changed branch (a boundary change) or constituency in an import."""

    ward: Ward
    to_branch: Body | None = None
    to_constituency: Body | None = None
    effective_from: dt.date | None = None


# Told of the moves inside the import's transaction; answers how many people moved.
Follower = Callable[[Sequence[WardMove]], int]


@dataclass
class GeoImportReport:
    tallies: dict[str, Tally] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    placements_closed: int = 0
    members_moved: int = 0
    moves: list[WardMove] = field(default_factory=list)

    def tally(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())

    def lines(self) -> list[str]:
        out = [f"{kind}: {tally}" for kind, tally in self.tallies.items()]
        if self.placements_closed:
            out.append(
                f"boundary changes: {self.placements_closed} ward placements closed, "
                f"{self.members_moved} memberships moved"
            )
        return out


# Reading -------------------------------------------------------------------------------


Row = dict[str, str]


def _read_csv(path: Path | str, required: Iterable[str], errors: list[str]
              ) -> tuple[str, list[tuple[int, Row]] | None]:
    """The file's rows as (spreadsheet row number, row), or None if unusable."""
    path = Path(path)
    label = path.name
    try:
        data = path.read_bytes()
    except OSError as e:
        errors.append(f"{label}: cannot read the file: {e.strerror or e}.")
        return label, None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        errors.append(
            f"{label}: not UTF-8: line {line} has bytes that are not UTF-8 text. "
            "Save the file as UTF-8 (\"CSV UTF-8\" in a spreadsheet) and import it again."
        )
        return label, None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, Row]] = []
    try:
        header = next(reader, None)
        if header is None:
            errors.append(f"{label}: the file is empty; row 1 must be the header.")
            return label, None
        names = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in names]
        if missing:
            errors.append(
                f"{label}: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}. Row 1 must be the header, with the columns "
                f"{', '.join(required)}; it has {', '.join(n or '(blank)' for n in names)}."
            )
            return label, None
        number = 1
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            row = {name: (values[i].strip() if i < len(values) else "")
                   for i, name in enumerate(names)}
            for name, value in row.items():
                found = bidi_control_in(value)
                if found is not None:
                    errors.append(
                        f"{label} row {number}, {name}: contains an invisible character that "
                        f"changes the direction of the text (U+{ord(found):04X}); remove it.")
            rows.append((number, row))
    except csv.Error as e:
        errors.append(f"{label} row {number + 1}: not readable as CSV: {e}.")
        return label, None
    return label, rows


def _in_chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


# Checking ------------------------------------------------------------------------------


@dataclass
class _WardRow:
    code: str
    name: str
    constituencies: list[str]  # the first is the default; more for a split ward
    lad_code: str
    lad_name: str
    row: int


@dataclass
class _ConstituencyRow:
    code: str
    name: str
    region: str
    row: int


@dataclass
class _BranchRow:
    code: str
    name: str
    constituency: str
    row: int


@dataclass
class _Plan:
    wards: dict[str, _WardRow] = field(default_factory=dict)
    constituencies: dict[str, _ConstituencyRow] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    branches: dict[str, _BranchRow] = field(default_factory=dict)
    placements: dict[str, str] = field(default_factory=dict)  # ward code -> branch code
    postcodes: dict[str, str] = field(default_factory=dict)  # postcode -> ward code
    split_wards: dict[str, list[int]] = field(default_factory=dict)
    repeated_rows: list[tuple[int, int]] = field(default_factory=list)
    ward_rows: dict[tuple[str, str], int] = field(default_factory=dict)


def _check_code(pattern: re.Pattern[str], value: str, what: str, err: _Errors, row: int,
                column: str) -> bool:
    if not value:
        err.add(row, column, f"empty; give the {what}")
        return False
    if not pattern.match(value):
        err.add(row, column, f"‘{value}’ is not {what}")
        return False
    return True


class _Errors:
    """Collects messages for one file as "<file> row N, field F: ...". """

    def __init__(self, label: str, into: list[str]) -> None:
        self.label = label
        self.into = into

    def add(self, row: int, column: str, message: str) -> None:
        self.into.append(f"{self.label} row {row}, field {column}: {message}.")


def _check_wards(label: str, rows: list[tuple[int, Row]], plan: _Plan, errors: list[str]
                 ) -> None:
    err = _Errors(label, errors)
    for n, row in rows:
        ok = _check_code(WARD_CODE, row["ward_code"], "an ONS ward code (E05 or W05 and six "
                         "digits, like E05000593)", err, n, "ward_code")
        ok &= _check_code(CONSTITUENCY_CODE, row["constituency_code"], "an ONS constituency "
                          "code (E14 or W07 and six digits, like E14000634)", err, n,
                          "constituency_code")
        if row["lad_code"] and not LAD_CODE.match(row["lad_code"]):
            err.add(n, "lad_code", f"‘{row['lad_code']}’ is not an ONS local authority code "
                    "(E06, E07, E08, E09 or W06 and six digits, like E09000031)")
            ok = False
        for column in ("ward_name", "constituency_name", "region_name"):
            if not row[column]:
                err.add(n, column, "empty; give the name")
                ok = False
        if not ok:
            continue
        con = plan.constituencies.get(row["constituency_code"])
        if con is None:
            plan.constituencies[row["constituency_code"]] = _ConstituencyRow(
                row["constituency_code"], row["constituency_name"], row["region_name"], n)
        elif con.name != row["constituency_name"]:
            err.add(n, "constituency_name", f"‘{row['constituency_name']}’ differs from "
                    f"‘{con.name}’ given for {con.code} on row {con.row}")
            continue
        elif con.region != row["region_name"]:
            err.add(n, "region_name", f"‘{row['region_name']}’ differs from ‘{con.region}’ "
                    f"given for {con.code} on row {con.row}; a constituency is in one region")
            continue
        if row["region_name"] not in plan.regions:
            plan.regions.append(row["region_name"])
        ward = plan.wards.get(row["ward_code"])
        plan.ward_rows.setdefault((row["ward_code"], row["constituency_code"]), n)
        if ward is None:
            plan.wards[row["ward_code"]] = _WardRow(
                row["ward_code"], row["ward_name"], [row["constituency_code"]],
                row["lad_code"], row["lad_name"], n)
        elif ward.name != row["ward_name"]:
            err.add(n, "ward_name", f"‘{row['ward_name']}’ differs from ‘{ward.name}’ given "
                    f"for {ward.code} on row {ward.row}")
        elif row["constituency_code"] in ward.constituencies:
            first = plan.ward_rows[(ward.code, row["constituency_code"])]
            if (row["lad_code"], row["lad_name"]) == (ward.lad_code, ward.lad_name):
                # The ONS lookup itself repeats a row (E05008580): harmless, so a warning.
                plan.repeated_rows.append((n, first))
            else:
                err.add(n, "ward_code", f"{ward.code} in {row['constituency_code']} is listed "
                        f"twice with different local authorities (also on row {first}); "
                        "delete one of the rows")
        else:
            ward.constituencies.append(row["constituency_code"])
            plan.split_wards.setdefault(ward.code, [ward.row]).append(n)


@dataclass
class _Known:
    """What the database already holds, as far as the checks need it."""

    # ward code -> (name, constituency code)
    wards: dict[str, tuple[str, str]]
    # body code -> kind
    bodies: dict[str, str]
    # branch code -> constituency code
    branch_constituency: dict[str, str]
    # ward code -> (branch code, valid_from) of its open placement
    open_placements: dict[str, tuple[str, dt.date]]
    # ward code -> last day of its latest closed placement
    last_closed: dict[str, dt.date]


def _load_known() -> _Known:
    wards = {
        code: (name, con)
        for code, name, con in Ward.objects.values_list("code", "name", "constituency__code")
    }
    bodies = dict(Body.objects.values_list("code", "kind"))
    branch_constituency = dict(
        Body.objects.filter(kind=Body.Kind.BRANCH).values_list("code", "parent__code")
    )
    open_placements: dict[str, tuple[str, dt.date]] = {}
    last_closed: dict[str, dt.date] = {}
    for ward, branch, valid_from, valid_to in WardPlacement.objects.values_list(
        "ward__code", "branch__code", "valid_from", "valid_to"
    ):
        if valid_to is None:
            open_placements[ward] = (branch, valid_from)
        elif valid_to > last_closed.get(ward, dt.date.min):
            last_closed[ward] = valid_to
    return _Known(wards, bodies, branch_constituency, open_placements, last_closed)


def _ward_constituencies(code: str, plan: _Plan, known: _Known) -> list[str] | None:
    if code in plan.wards:
        return plan.wards[code].constituencies
    if code in known.wards:
        return [known.wards[code][1]]
    return None


def _ward_name(code: str, plan: _Plan, known: _Known) -> str:
    return plan.wards[code].name if code in plan.wards else known.wards[code][0]


def _check_branches(label: str, rows: list[tuple[int, Row]], plan: _Plan, known: _Known,
                    effective_from: dt.date, wards_usable: bool, errors: list[str]) -> None:
    err = _Errors(label, errors)
    ward_rows: dict[str, tuple[str, int]] = {}
    for n, row in rows:
        code, con = row["branch_code"], row["constituency_code"]
        ok = True
        if not code:
            err.add(n, "branch_code", "empty; give the branch's code")
            ok = False
        elif not BRANCH_CODE.match(code):
            err.add(n, "branch_code", f"‘{code}’ is not a branch code (letters, digits, - "
                    "and _, at most 40, like WF-CHN)")
            ok = False
        elif known.bodies.get(code, Body.Kind.BRANCH) != Body.Kind.BRANCH:
            err.add(n, "branch_code", f"‘{code}’ is already the code of a "
                    f"{known.bodies[code]}; choose another code for the branch")
            ok = False
        if not row["branch_name"]:
            err.add(n, "branch_name", "empty; give the branch's name")
            ok = False
        ok &= _check_code(CONSTITUENCY_CODE, con, "an ONS constituency code (E14 or W07 and "
                          "six digits, like E14000634)", err, n, "constituency_code")
        if ok and con not in plan.constituencies and known.bodies.get(con) != "constituency":
            err.add(n, "constituency_code", f"{con} is not a known constituency; add it "
                    "with its wards to wards.csv")
            ok = False
        ward_ok = _check_code(WARD_CODE, row["ward_code"], "an ONS ward code (E05 or W05 and "
                              "six digits, like E05000593)", err, n, "ward_code")
        ward = row["ward_code"]
        options = _ward_constituencies(ward, plan, known) if ward_ok else None
        if ward_ok and options is None and wards_usable:
            err.add(n, "ward_code", f"{ward} is not a known ward; add it to wards.csv")
            ward_ok = False
        elif ward_ok and options is None:
            ward_ok = False  # wards.csv itself is unusable and already reported.
        if ward_ok and ward in ward_rows:
            other, other_row = ward_rows[ward]
            err.add(n, "ward_code", f"{ward} is already in branch {other} (row {other_row}); "
                    "a ward belongs to one branch")
            ward_ok = False
        if ward_ok and row.get("ward_name") and (
            row["ward_name"].casefold() != _ward_name(ward, plan, known).casefold()
        ):
            err.add(n, "ward_name", f"‘{row['ward_name']}’ is not the name of {ward} "
                    f"(‘{_ward_name(ward, plan, known)}’); check the ward code")
            ward_ok = False
        if not ok:
            continue
        branch = plan.branches.get(code)
        if branch is None:
            plan.branches[code] = _BranchRow(code, row["branch_name"], con, n)
        elif branch.constituency != con:
            err.add(n, "constituency_code", f"branch {code} would span two constituencies: "
                    f"{branch.constituency} (row {branch.row}) and {con}; a branch lies in "
                    "one constituency")
            continue
        elif branch.name != row["branch_name"]:
            err.add(n, "branch_name", f"‘{row['branch_name']}’ differs from ‘{branch.name}’ "
                    f"given for {code} on row {branch.row}")
            continue
        if not ward_ok:
            continue
        assert options is not None
        if con not in options:
            err.add(n, "constituency_code", f"ward {ward} is in constituency "
                    f"{' or '.join(options)}, not {con}; a branch's wards lie in its "
                    "constituency")
            continue
        ward_rows[ward] = (code, n)
        plan.placements[ward] = code
        current = known.open_placements.get(ward)
        if current and current[0] != code and effective_from <= current[1]:
            err.add(n, "branch_code", f"ward {ward} has been in branch {current[0]} since "
                    f"{current[1]:%Y-%m-%d}; a move to {code} must take effect after that day "
                    "(give a later --effective-from)")
        elif current is None and known.last_closed.get(ward, dt.date.min) >= effective_from:
            err.add(n, "branch_code", f"ward {ward} was in a branch until "
                    f"{known.last_closed[ward]:%Y-%m-%d}; a new placement must take effect "
                    "after that day (give a later --effective-from)")


def _check_postcodes(label: str, rows: list[tuple[int, Row]], plan: _Plan, known: _Known,
                     wards_usable: bool, errors: list[str]) -> None:
    err = _Errors(label, errors)
    first_row: dict[str, int] = {}
    for n, row in rows:
        postcode = normalise_postcode(row["postcode"])
        if not row["postcode"]:
            err.add(n, "postcode", "empty; give the postcode")
        elif postcode is None:
            err.add(n, "postcode", f"‘{row['postcode']}’ is not a UK postcode")
        elif postcode in first_row:
            err.add(n, "postcode", f"‘{postcode}’ is listed twice (also on row "
                    f"{first_row[postcode]}); a postcode is in one ward")
            postcode = None
        else:
            first_row[postcode] = n
        ward = row["ward_code"]
        if not _check_code(WARD_CODE, ward, "an ONS ward code (E05 or W05 and six digits, "
                           "like E05000593)", err, n, "ward_code"):
            continue
        if ward not in plan.wards and ward not in known.wards:
            if wards_usable:
                err.add(n, "ward_code", f"{ward} is not a known ward; add it to wards.csv")
            continue
        if postcode:
            plan.postcodes[postcode] = ward


def _check_body_codes(plan: _Plan, known: _Known, errors: list[str]) -> None:
    """Region and constituency codes must not already belong to another kind of body."""
    wanted = [(region_code(r), Body.Kind.REGION, r) for r in plan.regions]
    wanted += [(c.code, Body.Kind.CONSTITUENCY, c.name) for c in plan.constituencies.values()]
    for code, kind, name in wanted:
        if known.bodies.get(code, kind) != kind:
            errors.append(
                f"wards.csv: the {kind} {name} would have the code {code}, which is already "
                f"the code of a {known.bodies[code]}; change that body's code first."
            )


def _check_ward_moves(plan: _Plan, known: _Known, errors: list[str]) -> None:
    """A ward moving constituency must not leave its branch behind in the old one."""
    for code, ward in plan.wards.items():
        current = known.open_placements.get(code)
        if current is None or code in plan.placements:
            continue
        branch_con = known.branch_constituency.get(current[0])
        if branch_con not in ward.constituencies:
            errors.append(
                f"wards.csv row {ward.row}, field constituency_code: ward {code} is in branch "
                f"{current[0]} of constituency {branch_con}; to move it to "
                f"{ward.constituencies[0]}, also place it in a branch there in branches.csv."
            )


# Writing -------------------------------------------------------------------------------


def region_code(name: str) -> str:
    return f"REG-{slugify(name).upper()}"[:40]


def _sync_bodies(kind: str, wanted: dict[str, tuple[str, int | None]], report: GeoImportReport,
                 label: str) -> dict[str, Body]:
    """Create or update bodies of ``kind``: code -> (name, parent id). Returns code -> body."""
    tally = report.tally(label)
    existing = {b.code: b for b in Body.objects.filter(kind=kind, code__in=list(wanted))}
    new, changed = [], []
    for code, (name, parent_id) in wanted.items():
        body = existing.get(code)
        if body is None:
            new.append(Body(kind=kind, code=code, name=name, parent_id=parent_id))
        elif (body.name, body.parent_id) != (name, parent_id):
            body.name, body.parent_id = name, parent_id
            changed.append(body)
        else:
            tally.unchanged += 1
    Body.objects.bulk_create(new)
    Body.objects.bulk_update(changed, ["name", "parent"])
    tally.created += len(new)
    tally.updated += len(changed)
    return {**existing, **{b.code: b for b in new}}


def _organisation(name: str | None, report: GeoImportReport) -> Body:
    tally = report.tally("organisation")
    org = organisation_get()
    if org is None:
        org = Body.objects.create(
            kind=Body.Kind.ORGANISATION, code=ORGANISATION_CODE,
            name=name or settings.ORGANISATION_NAME,
        )
        tally.created += 1
    elif name and org.name != name:
        org.name = name
        org.save(update_fields=["name"])
        tally.updated += 1
    else:
        tally.unchanged += 1
    return org


def _write(plan: _Plan, known: _Known, *, effective_from: dt.date, organisation_name: str | None,
           report: GeoImportReport) -> None:
    constituencies: dict[str, Body] = {}
    if plan.wards:
        org = _organisation(organisation_name, report)
        regions = _sync_bodies(
            Body.Kind.REGION, {region_code(r): (r, org.pk) for r in plan.regions}, report,
            "regions")
        constituencies = _sync_bodies(
            Body.Kind.CONSTITUENCY,
            {c.code: (c.name, regions[region_code(c.region)].pk)
             for c in plan.constituencies.values()},
            report, "constituencies")
    needed = {b.constituency for b in plan.branches.values()} - set(constituencies)
    constituencies.update(
        {b.code: b for b in Body.objects.filter(kind=Body.Kind.CONSTITUENCY, code__in=needed)})
    wards = _write_wards(plan, constituencies, report)
    branches: dict[str, Body] = {}
    if plan.branches:
        branches = _sync_bodies(
            Body.Kind.BRANCH,
            {b.code: (b.name, constituencies[b.constituency].pk)
             for b in plan.branches.values()},
            report, "branches")
    _write_placements(plan, known, wards, branches, effective_from=effective_from,
                      report=report)
    _write_postcodes(plan, wards, report)


def _write_wards(plan: _Plan, constituencies: dict[str, Body], report: GeoImportReport
                 ) -> dict[str, Ward]:
    codes = list(plan.wards) + [c for c in plan.placements if c not in plan.wards]
    codes += [c for c in set(plan.postcodes.values()) if c not in plan.wards]
    wards: dict[str, Ward] = {}
    for chunk in _in_chunks(sorted(set(codes))):
        wards.update({w.code: w for w in Ward.objects.filter(code__in=chunk)})
    if not plan.wards:
        return wards
    tally = report.tally("wards")
    new, changed = [], []
    moved_constituency: dict[int, list[int]] = defaultdict(list)
    for code, row in plan.wards.items():
        ward = wards.get(code)
        # A split ward stays where it is, or goes where branches.csv puts it, if that is
        # one of its constituencies; otherwise into the first listed.
        branch = plan.branches.get(plan.placements.get(code, ""))
        con_code = row.constituencies[0]
        if branch is not None and branch.constituency in row.constituencies:
            con_code = branch.constituency
        elif ward is not None and ward.constituency_id in {
            constituencies[c].pk for c in row.constituencies
        }:
            con_code = next(c for c in row.constituencies
                            if constituencies[c].pk == ward.constituency_id)
        con = constituencies[con_code]
        values = (row.name, con.pk, row.lad_code, row.lad_name)
        if ward is None:
            ward = Ward(code=code, name=row.name, constituency=con, lad_code=row.lad_code,
                        lad_name=row.lad_name)
            new.append(ward)
            wards[code] = ward
        elif (ward.name, ward.constituency_id, ward.lad_code, ward.lad_name) != values:
            if ward.constituency_id != con.pk:
                moved_constituency[con.pk].append(ward.pk)
            ward.name, ward.constituency, ward.lad_code, ward.lad_name = (
                row.name, con, row.lad_code, row.lad_name)
            changed.append(ward)
        else:
            tally.unchanged += 1
    Ward.objects.bulk_create(new, batch_size=500)
    Ward.objects.bulk_update(changed, ["name", "constituency", "lad_code", "lad_name"],
                             batch_size=500)
    tally.created += len(new)
    tally.updated += len(changed)
    for con_pk, ward_pks in moved_constituency.items():
        con = next(c for c in constituencies.values() if c.pk == con_pk)
        report.moves.extend(WardMove(ward=w, to_constituency=con) for w in changed
                            if w.pk in ward_pks)
    return wards


def _write_placements(plan: _Plan, known: _Known, wards: dict[str, Ward],
                      branches: dict[str, Body], *, effective_from: dt.date,
                      report: GeoImportReport) -> None:
    if not plan.placements:
        return
    tally = report.tally("ward placements")
    new: list[WardPlacement] = []
    moves: list[tuple[Ward, Body]] = []
    closing: list[int] = []
    for ward_code, branch_code in plan.placements.items():
        current = known.open_placements.get(ward_code)
        if current is not None and current[0] == branch_code:
            tally.unchanged += 1
            continue
        ward, branch = wards[ward_code], branches[branch_code]
        if current is not None:
            closing.append(ward.pk)
            moves.append((ward, branch))
        new.append(WardPlacement(ward=ward, branch=branch, valid_from=effective_from))
    if closing:
        day_before = effective_from - dt.timedelta(days=1)
        for chunk in _in_chunks(closing):
            WardPlacement.objects.filter(ward_id__in=chunk, valid_to__isnull=True).update(
                valid_to=day_before)
        report.placements_closed += len(closing)
    WardPlacement.objects.bulk_create(new, batch_size=500)
    tally.created += len(new)
    report.moves.extend(WardMove(ward=ward, to_branch=branch, effective_from=effective_from)
                        for ward, branch in moves)


def _write_postcodes(plan: _Plan, wards: dict[str, Ward], report: GeoImportReport) -> None:
    if not plan.postcodes:
        return
    tally = report.tally("postcodes")
    existing: dict[str, Postcode] = {}
    for chunk in _in_chunks(list(plan.postcodes)):
        existing.update({p.postcode: p for p in Postcode.objects.filter(postcode__in=chunk)})
    new, changed = [], []
    for postcode, ward_code in plan.postcodes.items():
        ward = wards[ward_code]
        found = existing.get(postcode)
        if found is None:
            new.append(Postcode(postcode=postcode, ward=ward))
        elif found.ward_id != ward.pk:
            found.ward = ward
            changed.append(found)
        else:
            tally.unchanged += 1
    Postcode.objects.bulk_create(new, batch_size=900)
    Postcode.objects.bulk_update(changed, ["ward"], batch_size=500)
    tally.created += len(new)
    tally.updated += len(changed)


# The service ---------------------------------------------------------------------------


def geo_import(*, wards: Path | str | None = None, branches: Path | str | None = None,
               postcodes: Path | str | None = None, effective_from: dt.date | None = None,
               organisation_name: str | None = None,
               follow: Follower | None = None) -> GeoImportReport:
    """Check, then import, wards, branches and postcodes from CSV files.

    Args:
        wards, branches, postcodes: paths of the files; each may be left out.
        effective_from: the day boundary changes (and first placements) take
            effect; default today.
        organisation_name: name of the organisation created if there is none yet
            (default ``settings.ORGANISATION_NAME``); renames an existing one.
        follow: called with the wards that moved, inside the import's
            transaction, to move the people placed in them; its answer is
            ``members_moved``.

    Returns:
        Counts of what was created, updated and left unchanged, and warnings.

    Raises:
        GeoImportRefused: a file is unreadable or has bad rows; lists every
            problem. Nothing was written.
    """
    if wards is None and branches is None and postcodes is None:
        raise Refusal("Give at least one file to import: wards, branches or postcodes.",
                      code="nothing_to_import")
    effective_from = effective_from or timezone.localdate()
    errors: list[str] = []
    plan = _Plan()
    report = GeoImportReport()
    wards_usable = True
    if wards is not None:
        label, rows = _read_csv(wards, WARD_COLUMNS, errors)
        if rows is None:
            wards_usable = False
        else:
            _check_wards(label, rows, plan, errors)
    known = _load_known()
    _check_body_codes(plan, known, errors)
    if branches is not None:
        label, rows = _read_csv(branches, BRANCH_COLUMNS, errors)
        if rows is not None:
            _check_branches(label, rows, plan, known, effective_from, wards_usable, errors)
    if postcodes is not None:
        label, rows = _read_csv(postcodes, POSTCODE_COLUMNS, errors)
        if rows is not None:
            _check_postcodes(label, rows, plan, known, wards_usable, errors)
    if not errors:
        _check_ward_moves(plan, known, errors)
    if errors:
        raise GeoImportRefused(errors)
    if plan.split_wards:
        listed = [
            f"{code} (rows {', '.join(map(str, rows))})"
            for code, rows in list(plan.split_wards.items())[:10]
        ]
        more = len(plan.split_wards) - len(listed)
        report.warnings.append(
            f"{len(plan.split_wards)} wards are listed under more than one constituency "
            "(split wards). Each is kept once: in the constituency branches.csv places it "
            "in, or the one it is in already, or else the first listed: "
            + "; ".join(listed) + (f"; and {more} more." if more else ".")
        )
    if plan.repeated_rows:
        report.warnings.append(
            "Rows repeating an earlier row exactly were ignored: "
            + ", ".join(f"row {n} (same as row {first})" for n, first in plan.repeated_rows[:10])
            + (f" and {len(plan.repeated_rows) - 10} more." if len(plan.repeated_rows) > 10
               else ".")
        )
    with transaction.atomic():
        transaction.on_commit(place_postcode_forget)
        _write(plan, known, effective_from=effective_from, organisation_name=organisation_name,
               report=report)
        if follow is not None and report.moves:
            report.members_moved = follow(report.moves)
    return report
