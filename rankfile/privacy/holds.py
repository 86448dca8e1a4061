"""Reasons that defer a person's erasure, registered by the apps that have them.

An app that must keep a person identifiable for a while (the elections app:
while an electoral roll that holds them can still be challenged) registers a
function that answers, for one person, the reasons to wait, in plain words
staff can pass on ("On the electoral roll of the 2026 leadership election,
which can be challenged until 3 December 2026."). No reason: erasure may go
ahead. Register it once, in the app's ``AppConfig.ready``::

    from rankfile.privacy.holds import register_erasure_hold

    register_erasure_hold(roll_erasure_holds)
"""

from __future__ import annotations

from collections.abc import Callable

from rankfile.accounts.models import User

ErasureHold = Callable[[User], list[str]]

_holds: list[ErasureHold] = []


def register_erasure_hold(hold: ErasureHold) -> ErasureHold:
    """Add ``hold`` to the questions asked before an erasure (once; usable as a decorator)."""
    if hold not in _holds:
        _holds.append(hold)
    return hold


def unregister_erasure_hold(hold: ErasureHold) -> None:
    """Take ``hold`` back out (for tests)."""
    if hold in _holds:
        _holds.remove(hold)


def erasure_holds(user: User) -> list[str]:
    """Every registered reason to defer erasing ``user`` (empty: nothing holds it)."""
    return [reason for hold in list(_holds) for reason in hold(user)]
