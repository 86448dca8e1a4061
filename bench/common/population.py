"""A seeded population for the membership benchmarks (vetting; later the roll and ballots).

``generate(people=650_000, pending=183_000)`` fills an empty, migrated
PostgreSQL database of the site through COPY, in minutes: an organisation with
regions, constituencies and branches; three categories; one login and one
membership per person with a status history (applied, then active, and for
some in arrears, lapsed or resigned); ``pending`` of them applications waiting
for vetting (applied in the last 48 hours, the surge).

Names follow a skewed distribution like the UK's (common names are common,
the long tail is long), dates of birth span 1930-2008, postcodes about 120,000
in 1,000 districts. Planted among the pending applications are second
applications of people already there, each with a new e-mail address:

- ``typo``: one letter changed, added, dropped or two swapped in one name;
- ``swapped``: first and last name swapped;
- ``case``: changed case and spacing (``"  mary-ANNE  o'brien"``);
- ``moved``: the same name and birth date at another postcode.

``Planted`` returns the truth: which membership is a variant of which, and the
exclusion list's planted applicants, for measuring matching quality.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field

SEED = 2016
VARIANTS = ("typo", "swapped", "case", "moved")
REAL_FIRST = (
    "Oliver Amelia Jack Olivia Harry Isla George Emily Charlie Ava Jacob Jessica Thomas Lily "
    "Noah Sophie William Grace Oscar Mia James Poppy Leo Ella Joshua Evie Alfie Chloe Henry "
    "Ruby Mohammed Aisha Daniel Fatima Samuel Zara Joseph Hannah David Sarah Michael Emma Paul "
    "Claire Mark Helen Andrew Rachel Peter Susan John Margaret Robert Patricia Stephen Karen "
    "Kwame Adaeze Priya Ravi Tomasz Agnieszka Siobhan Declan Rhys Megan Ewan Catriona Tariq "
    "Nadia Femi Chidi Yusuf Maryam Dylan Bethan").split()
REAL_LAST = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Khan Ahmed Ali "
    "Hussain Begum Singh Kaur Okafor Mensah Nowak Kowalski O'Brien Murray Campbell Stewart Reid "
    "Macdonald").split()
SYLLABLES = ("al an ar ba be bo ca da de do el en fa fe ga ha he il in ja ka ke ko la le li "
             "lo ma me mi mo na ne ni no ol or pa pe ra re ri ro sa se si so ta te ti to ul "
             "un va ve wa wi ya yo za").split()


@dataclass
class Planted:
    variants: dict[int, tuple[int, str]] = field(default_factory=dict)  # variant -> (original, kind)
    exclusion: dict[int, int] = field(default_factory=dict)  # applicant id -> entry index
    exclusion_entries: list[tuple[str, str]] = field(default_factory=list)  # name, postcode


def _synthetic(rng: random.Random, count: int, parts: tuple[int, int]) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        n = rng.randint(*parts)
        names.add("".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize())
    return sorted(names)


class Names:
    """First names: 60% from 76 common ones; last names: 30% from 85 common ones, the rest
    from long tails of made-up names (2,000 first, 30,000 last)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first_tail = _synthetic(rng, 2000, (2, 3))
        self.last_tail = _synthetic(rng, 30000, (2, 4))

    def first(self) -> str:
        pool = REAL_FIRST if self.rng.random() < 0.6 else self.first_tail
        return self.rng.choice(pool)

    def last(self) -> str:
        pool = REAL_LAST if self.rng.random() < 0.3 else self.last_tail
        return self.rng.choice(pool)


def postcodes(rng: random.Random, districts: int = 1000, per: int = 120) -> list[str]:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    out: set[str] = set()
    outs: set[str] = set()
    while len(outs) < districts:
        outs.add(rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase)
                 + str(rng.randint(1, 99)))
    for district in sorted(outs):
        codes: set[str] = set()
        while len(codes) < per:
            codes.add(f"{district} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}")
        out |= codes
    return sorted(out)


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    kind = rng.choice(("change", "add", "drop", "swap"))
    letter = rng.choice(string.ascii_lowercase)
    if kind == "change" or len(word) < 3:
        new = word[:i] + (letter if letter != word[i].lower() else "q") + word[i + 1:]
    elif kind == "add":
        new = word[:i] + letter + word[i:]
    elif kind == "drop":
        new = word[:i] + word[i + 1:]
    else:
        i = min(i, len(word) - 2)
        if word[i] == word[i + 1]:
            return typo(rng, word)
        new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return new if new.lower() != word.lower() else typo(rng, word)


def recase(rng: random.Random, name: str) -> str:
    styles = (str.upper, str.lower, lambda s: " " + s + "  ", lambda s: s.swapcase())
    return rng.choice(styles)(name)


def _copy(cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(connection, *, people: int = 650_000, pending: int = 183_000,
             variants_each: int = 1000, excluded: int = 500, exclusion_size: int = 10_000,
             now: dt.datetime, seed: int = SEED, log=print) -> Planted:
    """Fill the database behind ``connection`` (a Django connection, PostgreSQL) with
    the population. Returns what was planted. The database must hold no memberships."""
    from rankfile.branches.models import Body
    from rankfile.membership.models import Category

    rng = random.Random(seed)
    names = Names(rng)
    codes = postcodes(rng)
    org = Body.objects.create(kind=Body.Kind.ORGANISATION, name="Bench Party", code="ORG")
    branches: list[tuple[int, int]] = []  # (branch, constituency)
    for r in range(10):
        region = Body.objects.create(kind=Body.Kind.REGION, name=f"Region {r}",
                                     code=f"REG-{r}", parent=org)
        for c in range(20):
            con = Body.objects.create(kind=Body.Kind.CONSTITUENCY, name=f"Constituency {r}-{c}",
                                      code=f"CON-{r}-{c}", parent=region)
            for b in range(3):
                branch = Body.objects.create(kind=Body.Kind.BRANCH, name=f"Branch {r}-{c}-{b}",
                                             code=f"BR-{r}-{c}-{b}", parent=con)
                branches.append((branch.pk, con.pk))
    cats = {kind: Category.objects.get_or_create(kind=kind, defaults={"name": kind})[0].pk
            for kind in Category.Kind.values}
    planted = Planted()
    established = people - pending
    n_variants = variants_each * len(VARIANTS)
    fresh_pending = pending - n_variants

    # Each person: (first, last, dob, postcode, branch, constituency).
    persons: list[tuple[str, str, dt.date, str, int, int]] = []
    for _ in range(established + fresh_pending):
        place = rng.choice(branches)
        persons.append((names.first(), names.last(),
                        dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(28_500)),
                        rng.choice(codes), place[0], place[1]))
    # Variants of randomly chosen people (established or pending), appended as pending.
    originals = rng.sample(range(len(persons)), n_variants)
    for n, original in enumerate(originals):
        kind = VARIANTS[n % len(VARIANTS)]
        first, last, dob, pc, b, c = persons[original]
        if kind == "typo":
            if rng.random() < 0.5:
                first = typo(rng, first)
            else:
                last = typo(rng, last)
        elif kind == "swapped":
            first, last = last, first
        elif kind == "case":
            first, last = recase(rng, first), recase(rng, last)
        else:
            pc = rng.choice([p for p in rng.sample(codes, 3) if p != pc])
            b, c = rng.choice(branches)
        planted.variants[len(persons) + 1] = (original + 1, kind)  # ids are 1-based
        persons.append((first, last, dob, pc, b, c))
    # The exclusion list: listed people planted among the (non-variant) pending
    # applications, plus names drawn from the same distribution.
    pending_ids = list(range(established + 1, established + fresh_pending + 1))
    for n, pid in enumerate(rng.sample(pending_ids, excluded)):
        first, last, _dob, pc, _b, _c = persons[pid - 1]
        written = rng.choice([f"{first} {last}", f"{last.upper()}, {first}",
                              f"  {first.lower()}  {last.lower()} "])
        planted.exclusion[pid] = n
        planted.exclusion_entries.append((written, pc))
    while len(planted.exclusion_entries) < exclusion_size:
        planted.exclusion_entries.append((f"{names.first()} {names.last()}", rng.choice(codes)))

    log(f"  {len(persons):,} people drawn; writing them with COPY")
    base = now - dt.timedelta(days=365 * 8)
    surge = now - dt.timedelta(hours=48)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        _copy(cursor, "accounts_user", ("id", "password", "is_superuser", "first_name",
                                        "last_name", "is_staff", "is_active", "date_joined",
                                        "email"),
              ((i, "!", False, p[0][:150], p[1][:150], False, True, now,
                f"p{i}@bench.invalid") for i, p in enumerate(persons, start=1)))
        statuses: list[tuple[str, dt.datetime, dt.date | None]] = []

        def memberships() -> Iterator[tuple]:
            for i, (first, last, dob, pc, b, c) in enumerate(persons, start=1):
                is_pending = i > established
                if is_pending:
                    applied = surge + dt.timedelta(seconds=rng.randrange(48 * 3600))
                    status, vetting, joined = "applied", "pending", None
                    category = cats["registered_supporter"]
                else:
                    applied = base + dt.timedelta(seconds=rng.randrange(8 * 365 * 86400))
                    roll = rng.random()
                    status = ("active" if roll < 0.8 else "in_arrears" if roll < 0.88
                              else "lapsed" if roll < 0.95 else "resigned")
                    vetting, joined = "approved", applied.date()
                    category = rng.choice((cats["member"], cats["member"],
                                           cats["affiliated_supporter"]))
                statuses.append((status, applied, joined))
                yield (i, f"RF-B{i:08d}", status, first[:100], last[:100], dob, "", pc, False,
                       "", 0, applied, "2026-11", applied, "", category, i, vetting, b, c,
                       joined, joined if status in ("active", "in_arrears") else None, False)

        _copy(cursor, "membership_membership",
              ("id", "reference", "status", "first_name", "last_name", "date_of_birth",
               "address", "postcode", "needs_placement", "union_number", "fee_pence",
               "applied_at", "consent_version", "consent_at", "request_fingerprint",
               "category_id", "user_id", "vetting", "branch_id", "constituency_id",
               "joined_on", "good_standing_since", "confirmation_due"), memberships())

        def history() -> Iterator[tuple]:
            hid = 0
            for i, (status, applied, _joined) in enumerate(statuses, start=1):
                hid += 1
                yield (hid, "", "applied", applied, "Applied online", i)
                if status == "applied":
                    continue
                hid += 1
                yield (hid, "applied", "active", applied + dt.timedelta(hours=2), "Paid", i)
                if status != "active":
                    hid += 1
                    yield (hid, "active", status, applied + dt.timedelta(days=400),
                           "Dues rules" if status != "resigned" else "Asked to resign", i)

        rows = _copy(cursor, "membership_statuschange",
                     ("id", "from_status", "to_status", "at", "reason", "membership_id"),
                     history())
        for table in ("accounts_user", "membership_membership", "membership_statuschange"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
    # As autovacuum would, soon after: the visibility map lets the queue count
    # from its index alone.
    with connection.cursor() as django_cursor:
        for table in ("accounts_user", "membership_membership", "membership_statuschange"):
            django_cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"  {len(persons):,} people, {rows:,} status changes, {n_variants:,} planted variants")
    return planted
