"""What every counting method shares: options, candidate states, steps and the record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rankfile.counting.ballots import Election
from rankfile.counting.groups import Constraints, GroupMinimum
from rankfile.counting.rounds import (
    ELECTED,
    EXCLUDED,
    HOPEFUL,
    WITHDRAWN,
    Event,
    Recorder,
    Result,
)
from rankfile.counting.ties import Lot, break_tie


@dataclass
class CountOptions:
    """Options that change how a count runs.

    Attributes:
        seed: seed for any lot; ``None`` draws one at random at the first
            lot (it is printed with the result then; a count without a lot
            has no seed).
        groups: minimum numbers of a group among those elected.
        withdraw: further candidates (indices) to treat as withdrawn.
        ron: the candidate (index) standing for "re-open nominations"; a seat
            it wins is left vacant for a fresh election.
        meek_variant: ``prf`` (the PR Foundation reference rule) or ``nz``.
        bulk_exclusion: exclude several low candidates at once where this
            cannot change the result (alternative vote only).
        progress: called with a short description at each stage.
    """

    seed: int | None = None
    groups: list[GroupMinimum] = field(default_factory=list)
    withdraw: list[int] = field(default_factory=list)
    ron: int | None = None
    meek_variant: str = "prf"
    bulk_exclusion: bool = False
    progress: Callable[[str], None] | None = None


class State:
    """Candidate states, the lot, the constraints and the record of one count.

    Args:
        election: the election.
        seats: seats to fill.
        options: the count's options.
    """

    def __init__(self, election: Election, seats: int, options: CountOptions) -> None:
        self.election = election
        self.names = election.candidates
        self.n = len(self.names)
        self.seats = seats
        self.options = options
        self.withdrawn = set(election.withdrawn) | set(options.withdraw)
        self.status = [WITHDRAWN if c in self.withdrawn else HOPEFUL for c in range(self.n)]
        self.elected: list[int] = []
        self.lot = Lot(options.seed, self.names)
        eligible = [c for c in range(self.n) if c not in self.withdrawn]
        self.constraints = Constraints(options.groups, seats, eligible)
        self.history: list[list[int]] = []
        self.events: list[Event] = []
        self.recorder = Recorder(self.names, eligible)

    @property
    def hopeful(self) -> list[int]:
        """Continuing candidates: neither elected, excluded nor withdrawn."""
        return [c for c in range(self.n) if self.status[c] == HOPEFUL]

    @property
    def seats_left(self) -> int:
        """Seats not yet filled."""
        return self.seats - len(self.elected)

    def is_complete(self) -> bool:
        """All seats are filled, or the continuing candidates can fill them all."""
        return self.seats_left <= 0 or len(self.hopeful) <= self.seats_left

    def elect(self, c: int, reason: str, kind: str = "elected") -> None:
        """Elect ``c``, recording why."""
        self.status[c] = ELECTED
        self.elected.append(c)
        self.events.append(Event(kind, self.names[c], reason))

    def exclude(self, c: int, reason: str) -> None:
        """Exclude ``c``, recording why."""
        self.status[c] = EXCLUDED
        self.events.append(Event("excluded", self.names[c], reason))

    def elect_reaching(self, votes: Sequence[int], quota: int, reason: str) -> list[int]:
        """Elect every continuing candidate whose votes reach ``quota``, highest first.

        A candidate the group minimums bar from a seat is not elected; it is
        recorded and will be excluded (see :mod:`rankfile.counting.groups`).

        Returns:
            The candidates elected, in order.
        """
        reaching = sorted(
            (c for c in self.hopeful if votes[c] >= quota), key=lambda c: (-votes[c], c)
        )
        done: list[int] = []
        for c in reaching:
            if self.seats_left <= 0:
                break
            blocked = self.constraints.blocker(c, self.elected, self.seats_left)
            if blocked is not None:
                self.events.append(Event("not-elected", self.names[c], blocked))
                continue
            self.elect(c, reason)
            done.append(c)
        return done

    def choose_exclusion(
        self,
        votes: Sequence[int],
        purpose: str = "exclusion",
        slack: int = 0,
        backward: bool = True,
        use_history: bool = True,
    ) -> tuple[int, str]:
        """Pick the candidate to exclude, honouring the group minimums.

        Args:
            votes: current votes by candidate.
            purpose: for the record of any tie.
            slack: candidates within this many (scaled) votes of the lowest
                count as tied (Meek: the total surplus).
            backward: tie-break from the most recent stage back, or forward.
            use_history: break ties by earlier stages before drawing lots.

        Returns:
            The candidate and the reason to record.
        """
        hopeful = self.hopeful
        forced = self.constraints.must_exclude(hopeful, self.elected, self.seats_left)
        if forced:
            pool = sorted(forced)
            why = "can no longer be elected without breaking a group minimum"
        else:
            safe = self.constraints.protected(hopeful, self.elected)
            pool = [c for c in hopeful if c not in safe] or hopeful
            why = "lowest votes"
            if len(pool) < len(hopeful):
                why = "lowest votes among those a group minimum does not protect"
        low = min(votes[c] for c in pool)
        tied = [c for c in pool if votes[c] <= low + slack]
        if len(tied) == 1:
            return tied[0], why
        history = self.history if use_history else []
        chosen = break_tie(
            tied,
            history,
            lowest=True,
            lot=self.lot,
            purpose=purpose,
            events=self.events,
            backward=backward,
        )
        return chosen, why + " (after a tie)"

    def record(
        self,
        action: str,
        subject: list[int],
        votes: list[int],
        non_transferable: int,
        loss: int,
        quota: int | None,
        transfer_value: int | None = None,
    ) -> None:
        """Close the stage in progress and start a new one."""
        self.recorder.add(
            action,
            subject,
            votes,
            non_transferable,
            loss,
            quota,
            self.status,
            self.events,
            transfer_value,
        )
        self.history.append(list(votes))
        self.events = []
        if self.options.progress is not None:
            self.options.progress(f"stage {len(self.history)}")

    def fill_remaining(self, votes: Sequence[int], reason: str) -> None:
        """Deem the continuing candidates elected if they no more than fill the seats.

        Their election is added to the last stage recorded.
        """
        if self.seats_left <= 0 or len(self.hopeful) > self.seats_left:
            return
        for c in sorted(self.hopeful, key=lambda c: (-votes[c], c)):
            self.elect(c, reason, kind="deemed-elected")
        last = self.recorder.rounds[-1]
        last.events.extend(self.events)
        last.status = {self.names[c]: self.status[c] for c in self.recorder.shown}
        self.events = []

    def result(
        self,
        method: str,
        rule: str,
        precision: int,
        valid: int,
        quota: int | None,
        options: dict[str, Any],
    ) -> Result:
        """Assemble the :class:`Result`."""
        notes: list[str] = []
        ron = self.options.ron
        if ron is not None:
            options = {**options, "reopen_nominations": self.names[ron]}
            if ron in self.elected:
                notes.append(
                    f"{self.names[ron]} was elected: one seat stays vacant "
                    "and nominations re-open for it."
                )
        if self.constraints:
            options = {
                **options,
                "groups": {
                    g.name: {
                        "minimum": g.minimum,
                        "members": [self.names[c] for c in sorted(g.members)],
                    }
                    for g in self.constraints.groups
                },
            }
        if self.seats_left > 0:
            notes.append(f"{self.seats_left} seat(s) could not be filled.")
        return Result(
            method=method,
            rule=rule,
            seats=self.seats,
            seed=self.lot.seed,
            precision=precision,
            title=self.election.title,
            candidates=list(self.names),
            withdrawn=[self.names[c] for c in sorted(self.withdrawn)],
            valid_ballots=valid,
            empty_ballots=self.election.empty + self.election.total - valid,
            quota=quota,
            elected=[self.names[c] for c in self.elected],
            rounds=self.recorder.rounds,
            options=options,
            notes=notes,
        )

    def choose_highest(self, tied: Sequence[int], purpose: str) -> int:
        """Pick the highest of equal candidates by earlier stages, then by lot."""
        return break_tie(
            tied, self.history, lowest=False, lot=self.lot, purpose=purpose, events=self.events
        )


def next_hopeful(ranking: Sequence[int], pos: int, status: Sequence[str]) -> int:
    """The position after ``pos`` of the ballot's next preference still in the count.

    Args:
        ranking: the ballot's candidates, most preferred first.
        pos: the position of the preference the ballot sits with now.
        status: each candidate's status, indexed by candidate.

    Returns:
        That position, or ``len(ranking)`` if the ballot is exhausted.
    """
    p = pos + 1
    while p < len(ranking) and status[ranking[p]] != HOPEFUL:
        p += 1
    return p
