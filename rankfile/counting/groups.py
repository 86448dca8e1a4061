"""Minimum numbers of a group among those elected (e.g. at least two women).

BLT has no field for group membership, so it comes from the command line
(``--group women=Alice,Beth --minimum women=2``) or from a small JSON file::

    {"groups": {"women": ["Alice", "Beth", "Cath"]}, "minimum": {"women": 2}}

How the rule applies (every step is shown in the count):

* A candidate is *deemed ineligible for election* and excluded when electing
  them would leave fewer seats than some group still needs.
* A member of a group is *protected* from exclusion while the group's
  continuing members are no more than the seats it still needs.
* Once a group's continuing members exactly fill what it needs and the seats
  left, they are deemed elected by the ordinary last-vacancies rule, since
  everyone else will have been excluded.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from rankfile.counting.ballots import Election
from rankfile.counting.errors import OptionsError


@dataclass(frozen=True)
class GroupMinimum:
    """At least ``minimum`` of ``members`` must be elected.

    Attributes:
        name: the group's name (e.g. ``women``).
        members: candidate indices.
        minimum: how many of them must be elected at least.
    """

    name: str
    members: frozenset[int]
    minimum: int


class Constraints:
    """Applies a list of group minimums during a count.

    Args:
        groups: the minimums to enforce.
        seats: seats to fill.
        eligible: candidates able to stand (not withdrawn).

    Raises:
        OptionsError: a minimum cannot be met at all.
    """

    def __init__(self, groups: Iterable[GroupMinimum], seats: int, eligible: Collection[int]):
        self.groups = [g for g in groups if g.minimum > 0]
        for g in self.groups:
            standing = len(g.members & set(eligible))
            if g.minimum > seats:
                raise OptionsError(f"group {g.name!r} needs {g.minimum} seats, only {seats} exist")
            if g.minimum > standing:
                raise OptionsError(
                    f"group {g.name!r} needs {g.minimum} elected but only {standing} stand"
                )

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _need(self, g: GroupMinimum, elected: Collection[int]) -> int:
        return max(0, g.minimum - sum(1 for c in elected if c in g.members))

    def blocker(self, c: int, elected: Collection[int], seats_left: int) -> str | None:
        """Why ``c`` may not take a seat now, or ``None`` if it may."""
        for g in self.groups:
            need = self._need(g, elected)
            if c not in g.members and need > seats_left - 1:
                return (
                    f"electing them would leave {seats_left - 1} seat(s) "
                    f"but group {g.name!r} still needs {need}"
                )
        return None

    def protected(self, hopeful: Collection[int], elected: Collection[int]) -> set[int]:
        """Continuing candidates who may not be excluded (their group needs them all)."""
        out: set[int] = set()
        for g in self.groups:
            members = [c for c in hopeful if c in g.members]
            if len(members) <= self._need(g, elected):
                out.update(members)
        return out

    def must_exclude(
        self, hopeful: Collection[int], elected: Collection[int], seats_left: int
    ) -> set[int]:
        """Continuing candidates who can no longer be elected and must be excluded."""
        if not self.groups:
            return set()
        safe = self.protected(hopeful, elected)
        return {
            c for c in hopeful if c not in safe and self.blocker(c, elected, seats_left) is not None
        }


def parse_group_args(
    election: Election, groups: Iterable[str], minimums: Iterable[str]
) -> list[GroupMinimum]:
    """Build group minimums from ``NAME=cand,cand`` and ``NAME=N`` strings.

    Args:
        election: to look the candidates up (by name or 1-based number).
        groups: membership, e.g. ``["women=Alice,Beth"]``.
        minimums: e.g. ``["women=2"]``.

    Returns:
        One minimum per group named in ``minimums``.

    Raises:
        OptionsError: a spec is malformed or names an unknown candidate or group.
    """
    members: dict[str, set[int]] = {}
    for spec in groups:
        name, sep, listed = spec.partition("=")
        if not sep or not name.strip():
            raise OptionsError(f"--group wants NAME=CANDIDATE,CANDIDATE..., got {spec!r}")
        members.setdefault(name.strip(), set()).update(
            election.index(c) for c in listed.split(",") if c.strip()
        )
    out: list[GroupMinimum] = []
    for spec in minimums:
        name, sep, number = spec.partition("=")
        name = name.strip()
        if not sep or not number.strip().isdigit():
            raise OptionsError(f"--minimum wants NAME=NUMBER, got {spec!r}")
        if name not in members:
            raise OptionsError(f"--minimum names group {name!r}, which no --group defines")
        out.append(GroupMinimum(name, frozenset(members[name]), int(number)))
    return out


def load_groups_file(election: Election, text: str, path: str) -> list[GroupMinimum]:
    """Read group minimums from a JSON file (see the module docstring).

    Raises:
        OptionsError: the file is not of that form.
    """
    try:
        data: Any = json.loads(text)
    except ValueError as e:
        raise OptionsError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
        raise OptionsError(f'{path}: expected {{"groups": {{...}}, "minimum": {{...}}}}')
    minimum = data.get("minimum", {})
    if not isinstance(minimum, dict):
        raise OptionsError(f'{path}: "minimum" must map group names to numbers')
    out: list[GroupMinimum] = []
    for name, listed in data["groups"].items():
        if not isinstance(listed, list) or not all(isinstance(c, str | int) for c in listed):
            raise OptionsError(f"{path}: group {name!r} must list candidate names")
        number = minimum.get(name, 0)
        if not isinstance(number, int) or number < 0:
            raise OptionsError(f"{path}: the minimum for {name!r} must be a whole number")
        out.append(GroupMinimum(name, frozenset(election.index(str(c)) for c in listed), number))
    return out
