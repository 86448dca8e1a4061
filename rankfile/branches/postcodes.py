"""UK postcodes: normalising and validating their shape."""

from __future__ import annotations

import re

# Outward code: area (1-2 letters) + district (digit, then optional digit or letter);
# inward code: digit + two letters. Covers every live UK format (A9, A99, AA9,
# AA99, A9A, AA9A) and GIR 0AA.
_SHAPE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)[0-9][A-Z]{2}$")


def normalise_postcode(raw: str) -> str | None:
    """Return the postcode in its standard form (``"e170ab"`` → ``"E17 0AB"``).

    Returns:
        The normalised postcode, or None if ``raw`` is not shaped like a UK postcode.
    """
    compact = re.sub(r"\s+", "", raw or "").upper()
    if not 5 <= len(compact) <= 7 or not _SHAPE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
