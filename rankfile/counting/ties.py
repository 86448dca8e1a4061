"""Tie-breaking: by the counts at earlier stages, then by a seeded lot."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence

from rankfile.counting.rounds import Event


class Lot:
    """Draws lots reproducibly from a seed.

    Every draw is recorded as an event, so that the count, rerun with the
    same seed, gives the same result, and a reader can see each draw.

    Args:
        seed: the seed printed with the result; ``None`` draws one at random
            at the first lot, so a count that draws none has no seed and is
            the same every time.
        names: candidate names by index (for the record).
    """

    def __init__(self, seed: int | None, names: Sequence[str]) -> None:
        self.seed = seed
        self.names = names
        self.draws = 0
        self._rng: random.Random | None = None

    def draw(self, tied: Sequence[int], purpose: str, events: list[Event]) -> int:
        """Choose one of ``tied`` by lot.

        Args:
            tied: candidate indices (order does not matter).
            purpose: what the draw decides, for the record.
            events: the round's events, to which the draw is added.

        Returns:
            The chosen candidate.
        """
        if self._rng is None:
            if self.seed is None:
                self.seed = secrets.randbelow(2**31)
            self._rng = random.Random(self.seed)
        ordered = sorted(tied)
        chosen = ordered[self._rng.randrange(len(ordered))]
        self.draws += 1
        listed = ", ".join(self.names[c] for c in ordered)
        events.append(
            Event(
                "lot",
                self.names[chosen],
                f"{purpose}: drawn by lot among {listed} (seed {self.seed})",
            )
        )
        return chosen


def break_tie(
    tied: Sequence[int],
    history: Sequence[Sequence[int]],
    *,
    lowest: bool,
    lot: Lot,
    purpose: str,
    events: list[Event],
    backward: bool = True,
) -> int:
    """Break a tie by earlier stages' counts, then by lot.

    Args:
        tied: candidate indices with equal votes.
        history: each earlier stage's votes by candidate, oldest first.
        lowest: choose the candidate lowest at the deciding stage (for
            exclusion) rather than the highest (for surplus order).
        lot: draws the lot if every earlier stage is equal too.
        purpose: what the choice decides, for the record.
        events: the round's events, to which the decision is added.
        backward: look from the most recent earlier stage back (Scottish and
            ERS rules); ``False`` looks from the first stage forward
            ("ahead at first difference", New Zealand).

    Returns:
        The chosen candidate.
    """
    remaining = sorted(tied)
    if len(remaining) == 1:
        return remaining[0]
    stages = list(reversed(history)) if backward else list(history)
    names = lot.names
    for offset, stage in enumerate(stages):
        values = [stage[c] for c in remaining]
        if len(set(values)) == 1:
            continue
        pick = min(values) if lowest else max(values)
        remaining = [c for c in remaining if stage[c] == pick]
        if len(remaining) == 1:
            number = len(history) - offset if backward else offset + 1
            listed = ", ".join(names[c] for c in sorted(tied))
            events.append(
                Event(
                    "tie",
                    names[remaining[0]],
                    f"{purpose}: tie among {listed} broken by the votes at stage {number}",
                )
            )
            return remaining[0]
    return lot.draw(remaining, purpose, events)
