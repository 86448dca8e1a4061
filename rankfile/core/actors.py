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

from dataclasses import dataclass


@dataclass(frozen=True)
class System:
    """The site acting on its own; ``why`` names the job or command, for logs."""

    why: str = "system"
    pk: None = None
    is_authenticated: bool = False
    is_anonymous: bool = False
    is_active: bool = True

    def __str__(self) -> str:
        return f"the system ({self.why})"


SYSTEM = System()


def is_system(actor: object) -> bool:
    """True if ``actor`` is the site itself, not a person."""
    return isinstance(actor, System)
