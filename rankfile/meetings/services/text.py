"""Checks for text people type into meetings' forms."""

from __future__ import annotations

from rankfile.core.errors import Refusal

# Control characters that reorder text on screen: a motion must read as it was written.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def checked_text(value: str, *, field: str, label: str, max_length: int,
                 required: bool = True) -> str:
    """``value`` stripped, or a refusal naming ``field`` when it cannot be stored as typed.

    Raises:
        Refusal: empty when required, too long, or holding NUL or bidi control characters.
    """
    value = (value or "").strip()
    if required and not value:
        raise Refusal(f"Enter the {label}.", code="required", field=field)
    if "\x00" in value or BIDI.intersection(value):
        raise Refusal(f"Remove the control characters from the {label}.", code="control_characters",
                      field=field)
    if len(value) > max_length:
        raise Refusal(f"Shorten the {label} to {max_length} characters.", code="too_long",
                      field=field)
    return value
