"""The matching rules for duplicates, the exclusion list and unions' lists.

Plain Python over plain values, so the rules are tested with Hypothesis and the
benchmark runs the same code over 650,000 people.

Normalisation
-------------
- A name: Unicode NFKD, accents dropped, case folded; every run of characters
  that are not letters (spaces, hyphens, apostrophes, dots) is one space.
  ``"  O'Brien-SMITH "`` and ``"o brien smith"`` are the same name.
- A person's *name key* is the sorted words of first and last name together,
  so swapped first and last names ("Smith John") give the same key.
- A postcode: upper case without spaces (``"e4 7aa"`` is ``"E47AA"``).
- An e-mail: trimmed and case folded (both halves: mail providers treat the
  local part case-insensitively in practice).
- An address: normalised like a name, digits kept.

Duplicates: two applications are flagged as a pair when any rule holds
----------------------------------------------------------------------
1. ``email``: the same normalised e-mail address.
2. ``name_dob_postcode``: the same name key, date of birth and postcode
   (changed case and spacing, swapped names).
3. ``card``: a payment from the same card (or bank account) fingerprint.
4. ``typo``: the same date of birth and postcode, and one word of the names one
   edit apart (a letter added, dropped, changed or two neighbours swapped:
   Damerau-Levenshtein distance 1) in a word of at least 4 letters, or names
   that differ only in their spaces ("Mary Ann", "Maryann").
5. ``moved``: the same name key and date of birth, at different postcodes (a
   person who moved house and applied again).

A pair is never merged or accepted by the rules: staff see it side by side and
merge it or mark it as two people.

Exclusion list: an application is flagged when
----------------------------------------------
- ``name``: its name key equals an entry's, and the entry gives no postcode or
  one in the same postcode district (``E4 7AA`` and ``E4 9ZZ``: ``E4``). A
  common name elsewhere in the country is another person: flagging every John
  Smith would bury the one that matters. Or
- ``address``: its normalised address and postcode equal an entry's (someone
  else at a listed address).
A match is explained and flagged, never rejected.

Unions' lists: an affiliated supporter is verified when the list of their
union has their membership number (trimmed, case folded) and the surname on the
list equals theirs after normalisation (the words of the surname, in order).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_NOT_LETTERS = re.compile(r"[^a-z]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    text = text or ""
    if text.isascii():  # most names: nothing to decompose
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=100_000)
def normalise_name(text: str) -> str:
    """Letters only, case folded, words separated by one space."""
    return _NOT_LETTERS.sub(" ", _fold(text)).strip()


def name_key(first: str, last: str) -> str:
    """The sorted words of both names: the same for swapped names."""
    return " ".join(sorted(f"{normalise_name(first)} {normalise_name(last)}".split()))


def full_name_key(name: str) -> str:
    """The key of a name written in one field (the exclusion list's)."""
    return " ".join(sorted(normalise_name(name).split()))


def normalise_postcode(text: str) -> str:
    return "".join((text or "").split()).upper()[:8]


def outward_code(postcode: str) -> str:
    """The district part of a normalised postcode: all but its last three characters."""
    return postcode[:-3] if len(postcode) > 4 else postcode


def normalise_email(text: str) -> str:
    return (text or "").strip().casefold()


def normalise_address(text: str) -> str:
    return _NOT_ALNUM.sub(" ", _fold(text)).strip()


def normalise_number(text: str) -> str:
    return "".join((text or "").split()).casefold()


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one insertion, deletion,
    substitution or swap of two neighbouring characters."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    if la > lb:
        a, b = b, a
    # b is one longer: drop each character of b in turn at the first difference.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@dataclass(frozen=True)
class Person:
    """What the rules read of an application."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    postcode: str
    email: str = ""
    fingerprints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    first: int  # the smaller id
    second: int
    rules: tuple[str, ...]


RULE_WORDS = {
    "email": "the same e-mail address",
    "name_dob_postcode": "the same name, date of birth and postcode",
    "card": "a payment from the same card or bank account",
    "typo": "the same date of birth and postcode, and names one letter apart",
    "moved": "the same name and date of birth at another postcode",
}


def explain(rules: Iterable[str]) -> str:
    return "Possible duplicate: " + "; ".join(RULE_WORDS[r] for r in rules) + "."


def find_duplicates(people: Iterable[Person], *, among: set[int] | None = None) -> list[Match]:
    """Every pair of ``people`` that one of the rules matches (see the module).

    ``among``: only pairs with at least one of these ids (new applications
    against everyone); None for every pair. Runs in time about linear in the
    number of people: each rule groups by an exact key, and the typo rule
    compares names only within a date of birth and postcode.
    """
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    groups: dict[str, dict[object, list[int]]] = {r: defaultdict(list) for r in RULE_WORDS}
    names: dict[int, str] = {}
    for p in people:
        key = name_key(p.first_name, p.last_name)
        names[p.id] = key
        postcode = normalise_postcode(p.postcode)
        email = normalise_email(p.email)
        if email:
            groups["email"][email].append(p.id)
        groups["name_dob_postcode"][(key, p.date_of_birth, postcode)].append(p.id)
        for fp in set(p.fingerprints):
            groups["card"][fp].append(p.id)
        groups["typo"][(p.date_of_birth, postcode)].append(p.id)
        groups["moved"][(key, p.date_of_birth)].append(p.id)

    def pairs(ids: list[int]) -> Iterator[tuple[int, int]]:
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if among is None or a in among or b in among:
                    yield a, b

    for rule in ("email", "name_dob_postcode", "card"):
        for ids in groups[rule].values():
            if len(ids) > 1:
                for pair in pairs(ids):
                    found[pair].add(rule)
    for ids in groups["typo"].values():
        if len(ids) > 1:
            for a, b in pairs(ids):
                ka, kb = names[a], names[b]
                if _names_one_edit_apart(ka, kb):
                    found[(a, b)].add("typo")
    for ids in groups["moved"].values():
        if len(ids) > 1:
            for a, b in pairs(ids):
                if (a, b) not in found or "name_dob_postcode" not in found[(a, b)]:
                    found[(a, b)].add("moved")
    order = list(RULE_WORDS)
    return [Match(a, b, tuple(sorted(rules, key=order.index)))
            for (a, b), rules in sorted(found.items())]


def _names_one_edit_apart(a: str, b: str) -> bool:
    """One word of the two names differs by one edit, and that word has at least four
    letters (a typo in "Li" makes another name, "Lu"); or the names differ only in
    spaces ("Mary Ann", "Maryann")."""
    if a.replace(" ", "") == b.replace(" ", ""):
        return a != b
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    # A typo may change the sort order of the words: try them matched up both ways.
    for other in (wb, list(reversed(wb))) if len(wb) == 2 else (wb,):
        diffs = [(x, y) for x, y in zip(wa, other, strict=True) if x != y]
        if (len(diffs) == 1 and min(len(diffs[0][0]), len(diffs[0][1])) >= 4
                and one_edit_apart(*diffs[0])):
            return True
    return False


@dataclass(frozen=True)
class Listed:
    """An exclusion list entry as the rules read it."""

    id: int
    name: str
    postcode: str = ""
    address: str = ""


@dataclass(frozen=True)
class ExclusionMatch:
    person: int
    entry: int
    rule: str  # "name" or "address"
    explanation: str


class ExclusionIndex:
    """The exclusion list indexed by name key and by address and postcode."""

    def __init__(self, entries: Iterable[Listed]) -> None:
        self.by_name: dict[str, list[Listed]] = defaultdict(list)
        self.by_address: dict[tuple[str, str], list[Listed]] = defaultdict(list)
        for e in entries:
            key = full_name_key(e.name)
            if key:
                self.by_name[key].append(e)
            address, postcode = normalise_address(e.address), normalise_postcode(e.postcode)
            if address and postcode:
                self.by_address[(address, postcode)].append(e)

    def match(self, person_id: int, first: str, last: str, postcode: str,
              address: str = "") -> list[ExclusionMatch]:
        out = []
        postcode = normalise_postcode(postcode)
        seen: set[int] = set()
        for e in self.by_name.get(name_key(first, last), ()):
            listed = normalise_postcode(e.postcode)
            if listed and listed == postcode:
                where = f"and the postcode {postcode}"
            elif listed and outward_code(listed) == outward_code(postcode):
                where = f"in the same postcode district ({outward_code(postcode)})"
            elif listed:
                continue  # the same name elsewhere: another person, most likely
            else:
                where = "(the list gives no postcode)"
            seen.add(e.id)
            out.append(ExclusionMatch(person_id, e.id, "name",
                                      f"The name matches exclusion list entry “{e.name}” {where}."))
        norm = normalise_address(address)
        if norm:
            for e in self.by_address.get((norm, postcode), ()):
                if e.id not in seen:
                    out.append(ExclusionMatch(
                        person_id, e.id, "address",
                        f"The address matches that of exclusion list entry “{e.name}”."))
        return out
