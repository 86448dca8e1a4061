"""Who acts: a person (a ``User``), or the site itself.

Every service that changes something takes the acting user (``by``) and asks
its app's ``access.py`` whether they may. Scheduled jobs, the background worker
and commands run on the server that do not act for a named person act as the
system instead, and say so: ``System("expire_unpaid")``. A system actor is
never authenticated, holds no role and has no primary key, so nothing records
it as a person (a history row's ``by`` stays empty) and no role check admits
it by accident; each ``can_*`` that the system may pass says so explicitly.
"""

from __future__ import annotations

from typing import Literal


class System:
    """The site acting on its own; ``why`` names the job or command, for logs."""

    pk: None = None

    def __init__(self, why: str = "system") -> None:
        self.why = why

    # As Django's users answer them, so that ``if not actor.is_authenticated``
    # narrows an actor to a ``User`` for the type checker too.
    @property
    def is_authenticated(self) -> Literal[False]:
        return False

    @property
    def is_anonymous(self) -> Literal[False]:
        return False

    @property
    def is_active(self) -> Literal[True]:
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, System) and other.why == self.why

    def __hash__(self) -> int:
        return hash(("System", self.why))

    def __repr__(self) -> str:
        return f"System({self.why!r})"

    def __str__(self) -> str:
        return f"the system ({self.why})"


SYSTEM = System()


def is_system(actor: object) -> bool:
    """True if ``actor`` is the site itself, not a person."""
    return isinstance(actor, System)
