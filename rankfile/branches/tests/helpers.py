"""Helpers for tests that place postcodes."""

from __future__ import annotations

import datetime as dt

from rankfile.branches.selectors import Placement, place_postcode


def placed(postcode: str, *, on: dt.date | None = None) -> Placement:
    """Where ``postcode`` lies on ``on``, failing the test if it lies nowhere."""
    placement = place_postcode(postcode, on=on)
    assert placement is not None, f"{postcode} is not placed"
    return placement
