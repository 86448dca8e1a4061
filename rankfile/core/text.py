"""The rules for text a person types that others will read: names above all.

One place, called by every service that takes a name (joining, the API, comments,
article authors, bodies), so a rule cannot hold on one form and not another. Also
``one_line``, for text that strangers' software wrote (a mail server's reason).
"""

from __future__ import annotations

import unicodedata

from rankfile.core.errors import Refusal

# Characters that reorder the text around them without showing themselves: in a
# name, "\u202eevil" shows as "live" in a staff list. Embeddings and overrides
# (U+202A-202E), isolates (U+2066-2069), the left-to-right and right-to-left
# marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"])

_NAMES = {
    "\u202a": "left-to-right embedding", "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting", "\u202d": "left-to-right override",
    "\u202e": "right-to-left override", "\u2066": "left-to-right isolate",
    "\u2067": "right-to-left isolate", "\u2068": "first strong isolate",
    "\u2069": "pop directional isolate", "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark", "\u061c": "Arabic letter mark",
}


def bidi_control_in(value: str) -> str | None:
    """The first bidirectional control character in ``value``, or None."""
    return next((c for c in value if c in BIDI_CONTROLS), None)


def refuse_bidi_controls(value: str, *, field: str, label: str) -> None:
    """Refuse ``value`` if it holds a character that reorders text invisibly.

    Raises:
        Refusal: ``code="bidi_control"``, naming the character and where it is.
    """
    found = bidi_control_in(value)
    if found is None:
        return
    position = value.index(found) + 1
    raise Refusal(
        f"Your {label} contains an invisible character that changes the direction of "
        f"the text ({_NAMES[found]}, U+{ord(found):04X}, character {position}). Type it "
        f"again without it.", code="bidi_control", field=field)


def is_unreadable(value: str) -> bool:
    """Whether ``value`` holds what no person typed: U+FFFD (undecodable bytes),
    control characters other than line breaks, surrogates or private-use characters."""
    return "\ufffd" in value or any(
        unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\r\n" for c in value)


def clean_name(value: str | None, *, field: str, label: str, max_length: int,
               required: bool = True) -> str:
    """A name as people will read it: spaces collapsed, checked.

    Raises:
        Refusal: ``required``, ``too_long``, ``unreadable`` or ``bidi_control``,
            each for ``field`` and in words naming ``label``.
    """
    value = " ".join((value or "").split())
    if required and not value:
        raise Refusal(f"Enter your {label}.", code="required", field=field)
    if len(value) > max_length:
        raise Refusal(f"Your {label} must be {max_length} characters or fewer.",
                      code="too_long", field=field)
    refuse_bidi_controls(value, field=field, label=label)
    if is_unreadable(value):
        raise Refusal(f"Your {label} contains characters that cannot be read. Type it again.",
                      code="unreadable", field=field)
    return value


def one_line(value: str, *, max_length: int) -> str:
    """``value`` as one line of plain text, to store or show though nobody checked it
    (a mail server's words in a bounce report).

    Line breaks, tabs, NUL and every other control character become spaces, and runs
    of spaces one; bidirectional controls are dropped; surrogates (undecodable bytes)
    and private-use characters become U+FFFD. Cut to ``max_length`` characters, the
    last an ellipsis when cut.
    """
    kept = []
    for c in value:
        category = unicodedata.category(c)
        if c in BIDI_CONTROLS:
            continue
        if category == "Cc":
            kept.append(" ")
        elif category in ("Cs", "Co"):
            kept.append("\ufffd")
        else:
            kept.append(c)
    line = " ".join("".join(kept).split())
    if len(line) > max_length:
        line = line[:max_length - 1].rstrip() + "\u2026"
    return line
