"""The election as the engine sees it: candidates, seats and grouped rankings.

Identical rankings are grouped as they are read (real ballots repeat heavily),
so memory grows with the number of distinct rankings, not with the ballots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rankfile.counting.errors import OptionsError

Ranking = tuple[int, ...]
"""A ballot's preferences as 0-based candidate indices, most preferred first."""


@dataclass
class Election:
    """Candidates, seats and ballots, as read from a ballot file.

    Attributes:
        candidates: candidate names, in the file's order; indices into this list
            are how rankings name candidates.
        seats: seats to fill, as the file's header gives it.
        ballots: each distinct ranking and the number of ballots (the total
            weight) that carry it. Rankings never repeat a candidate.
        withdrawn: indices of withdrawn candidates; their preferences are skipped.
        title: the election's title.
        empty: ballots that rank nobody (not counted as valid votes).
    """

    candidates: list[str]
    seats: int
    ballots: dict[Ranking, int] = field(default_factory=dict)
    withdrawn: set[int] = field(default_factory=set)
    title: str = ""
    empty: int = 0

    @property
    def total(self) -> int:
        """Number of ballots that rank at least one candidate."""
        return sum(self.ballots.values())

    def index(self, name_or_number: str) -> int:
        """Find a candidate by exact name, or by 1-based number as in BLT.

        Args:
            name_or_number: a candidate's name, or its number in the file.

        Returns:
            The candidate's 0-based index.

        Raises:
            OptionsError: no candidate has that name or number.
        """
        wanted = name_or_number.strip()
        for i, name in enumerate(self.candidates):
            if name == wanted:
                return i
        folded = wanted.casefold()
        matches = [i for i, name in enumerate(self.candidates) if name.casefold() == folded]
        if len(matches) == 1:
            return matches[0]
        if wanted.isdigit() and 1 <= int(wanted) <= len(self.candidates):
            return int(wanted) - 1
        raise OptionsError(f"no candidate is called {wanted!r}")

    def add(self, ranking: Iterable[int], weight: int = 1) -> None:
        """Add ``weight`` ballots with this ranking (an empty ranking counts as empty)."""
        key = tuple(ranking)
        if not key:
            self.empty += weight
            return
        self.ballots[key] = self.ballots.get(key, 0) + weight

    def effective_ballots(self, skip: Iterable[int] = ()) -> dict[Ranking, int]:
        """Rankings with withdrawn (and ``skip``) candidates removed, regrouped.

        Args:
            skip: further candidates to remove from every ranking.

        Returns:
            Distinct non-empty rankings and their weights.
        """
        removed = set(self.withdrawn) | set(skip)
        if not removed:
            return dict(self.ballots)
        out: dict[Ranking, int] = {}
        for ranking, weight in self.ballots.items():
            key = tuple(c for c in ranking if c not in removed)
            if key:
                out[key] = out.get(key, 0) + weight
        return out

    def renamed(self, names: Mapping[str, str]) -> Election:
        """A copy with candidates renamed (used by tests and by ``convert``)."""
        return Election(
            candidates=[names.get(n, n) for n in self.candidates],
            seats=self.seats,
            ballots=dict(self.ballots),
            withdrawn=set(self.withdrawn),
            title=self.title,
            empty=self.empty,
        )
