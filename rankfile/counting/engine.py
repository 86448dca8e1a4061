"""One entry point for every method: :func:`count`."""

from __future__ import annotations

from rankfile.counting.ballots import Election
from rankfile.counting.base import CountOptions
from rankfile.counting.errors import OptionsError
from rankfile.counting.rounds import Result

METHODS = ("plurality", "block", "approval", "irv", "stv-scottish", "stv-meek")


def count(
    election: Election,
    method: str,
    seats: int | None = None,
    options: CountOptions | None = None,
) -> Result:
    """Count an election by the named method.

    Args:
        election: the ballots.
        method: one of :data:`METHODS`.
        seats: seats to fill; defaults to the ballot file's header.
        options: seed, group minimums, withdrawals, re-open nominations and
            method-specific options. A missing seed is drawn at random at
            the first lot and returned in the result (``None`` if no lot
            was drawn).

    Returns:
        The result, stage by stage.

    Raises:
        OptionsError: the method or an option cannot be applied.
    """
    options = options if options is not None else CountOptions()
    seats = election.seats if seats is None else seats
    if seats < 1:
        raise OptionsError("there must be at least one seat to fill")
    if method == "stv-scottish":
        from rankfile.counting.stv import count_scottish

        return count_scottish(election, seats, options)
    if method == "stv-meek":
        from rankfile.counting.meek import count_meek

        return count_meek(election, seats, options)
    if method == "irv":
        from rankfile.counting.irv import count_irv

        return count_irv(election, seats, options)
    if method == "plurality":
        from rankfile.counting.plurality import count_plurality

        return count_plurality(election, seats, options)
    if method in ("block", "approval"):
        from rankfile.counting.approval import count_block

        return count_block(election, seats, options, approval=method == "approval")
    raise OptionsError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
