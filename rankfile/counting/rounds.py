"""The result of a count, round by round, and its versioned JSON form.

Vote values are held as integers scaled by ``10 ** precision`` (the rule's
decimal places), so every figure is exact as the rule rounds it. In JSON they
are decimal strings such as ``"1300.00000"``, never binary floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "rankfile.count-result"
SCHEMA_VERSION = 2  # 2: ``seed`` is null when no lot was drawn and none was given

HOPEFUL = "hopeful"
ELECTED = "elected"
EXCLUDED = "excluded"
WITHDRAWN = "withdrawn"


def fmt(value: int, precision: int) -> str:
    """Format a scaled integer as an exact decimal string.

    Args:
        value: the value times ``10 ** precision``.
        precision: decimal places.

    Returns:
        For example ``fmt(130040863, 5) == "1300.40863"``.
    """
    if precision == 0:
        return str(value)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**precision)
    return f"{sign}{whole}.{frac:0{precision}d}"


@dataclass
class Event:
    """Something decided during a round.

    Attributes:
        kind: ``elected``, ``excluded``, ``deemed-elected``, ``not-elected``,
            ``tie`` or ``lot``.
        candidate: the candidate concerned (``None`` for notes).
        reason: why, in plain words, citing the rule.
    """

    kind: str
    candidate: str | None
    reason: str


@dataclass
class Round:
    """One stage of the count.

    Attributes:
        number: 1 for the first preferences, then one per stage.
        action: ``first-preferences``, ``surplus``, ``exclusion``,
            ``iteration`` (Meek) or ``count`` (single-round methods).
        subject: candidates whose ballots were transferred at this stage.
        votes: every candidate's votes at the end of the stage (scaled).
        transfers: change in each candidate's votes during the stage (scaled).
        non_transferable: value on exhausted ballots so far (scaled).
        loss: value lost to the rule's rounding so far (scaled).
        quota: the quota in force (scaled), if the method has one.
        status: each candidate's state at the end of the stage.
        events: who was elected or excluded and why, and ties broken.
        transfer_value: for a surplus, the transfer value of a first-preference
            ballot (scaled), as the rule computes it.
    """

    number: int
    action: str
    subject: list[str]
    votes: dict[str, int]
    transfers: dict[str, int]
    non_transferable: int
    loss: int
    quota: int | None
    status: dict[str, str]
    events: list[Event] = field(default_factory=list)
    transfer_value: int | None = None

    @property
    def elected(self) -> list[str]:
        """Candidates elected (or deemed elected) at this stage, in order."""
        return [
            e.candidate
            for e in self.events
            if e.kind in ("elected", "deemed-elected") and e.candidate is not None
        ]

    @property
    def excluded(self) -> list[str]:
        """Candidates excluded at this stage, in order."""
        return [e.candidate for e in self.events if e.kind == "excluded" and e.candidate]


@dataclass
class Result:
    """A finished count.

    Attributes:
        method: the method's name, e.g. ``stv-scottish``.
        rule: a one-line description of the rule set applied.
        seats: seats filled (or to fill).
        seed: the seed of the lots drawn, to print so the count can be
            repeated; ``None`` if no lot was drawn and none was given.
        precision: decimal places of every vote value.
        title: the election's title.
        candidates: every candidate, in the file's order.
        withdrawn: withdrawn candidates.
        valid_ballots: ballots ranking at least one eligible candidate.
        empty_ballots: ballots ranking nobody eligible.
        quota: the quota at the first stage (scaled), if any.
        elected: names in order of election.
        rounds: every stage.
        options: the options that changed the count.
        notes: anything else a reader must know (e.g. seats left to re-open).
    """

    method: str
    rule: str
    seats: int
    seed: int | None
    precision: int
    title: str
    candidates: list[str]
    withdrawn: list[str]
    valid_ballots: int
    empty_ballots: int
    quota: int | None
    elected: list[str]
    rounds: list[Round]
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def lots(self) -> int:
        """How many lots were drawn: the seed changes the result only if this is not 0."""
        return sum(1 for r in self.rounds for e in r.events if e.kind == "lot")

    def value(self, scaled: int | None) -> str | None:
        """Format a scaled value with this result's precision (``None`` stays ``None``)."""
        return None if scaled is None else fmt(scaled, self.precision)

    def to_dict(self) -> dict[str, Any]:
        """The result as the documented, versioned JSON object (see docs/counting.md)."""
        p = self.precision
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "method": self.method,
            "rule": self.rule,
            "title": self.title,
            "seats": self.seats,
            "seed": self.seed,
            "precision": p,
            "candidates": self.candidates,
            "withdrawn": self.withdrawn,
            "valid_ballots": self.valid_ballots,
            "empty_ballots": self.empty_ballots,
            "quota": self.value(self.quota),
            "elected": self.elected,
            "options": self.options,
            "notes": self.notes,
            "rounds": [
                {
                    "number": r.number,
                    "action": r.action,
                    "subject": r.subject,
                    "quota": self.value(r.quota),
                    "votes": {k: fmt(v, p) for k, v in r.votes.items()},
                    "transfers": {k: fmt(v, p) for k, v in r.transfers.items()},
                    "transfer_value": self.value(r.transfer_value),
                    "non_transferable": fmt(r.non_transferable, p),
                    "loss": fmt(r.loss, p),
                    "status": r.status,
                    "elected": r.elected,
                    "excluded": r.excluded,
                    "events": [
                        {"kind": e.kind, "candidate": e.candidate, "reason": e.reason}
                        for e in r.events
                    ],
                }
                for r in self.rounds
            ],
        }


class Recorder:
    """Builds the list of rounds from the counters' internal state.

    Args:
        names: candidate names by index.
        shown: indices of the candidates to show (withdrawn ones are left out).
    """

    def __init__(self, names: list[str], shown: list[int]) -> None:
        self.names = names
        self.shown = shown
        self.rounds: list[Round] = []
        self._previous: list[int] | None = None

    def add(
        self,
        action: str,
        subject: list[int],
        votes: list[int],
        non_transferable: int,
        loss: int,
        quota: int | None,
        status: list[str],
        events: list[Event],
        transfer_value: int | None = None,
    ) -> Round:
        """Record a stage; ``votes`` and ``status`` are indexed by candidate."""
        previous = self._previous if self._previous is not None else [0] * len(votes)
        names = self.names
        r = Round(
            number=len(self.rounds) + 1,
            action=action,
            subject=[names[c] for c in subject],
            votes={names[c]: votes[c] for c in self.shown},
            transfers={names[c]: votes[c] - previous[c] for c in self.shown},
            non_transferable=non_transferable,
            loss=loss,
            quota=quota,
            status={names[c]: status[c] for c in self.shown},
            events=list(events),
            transfer_value=transfer_value,
        )
        self._previous = list(votes)
        self.rounds.append(r)
        return r
