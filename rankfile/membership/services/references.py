"""Short public references: memberships (RF-…), payments (PAY-…), receipts (RCP-…).

Eight characters of Crockford's base32 (no I, L, O or U, so nothing reads as
another letter) give 32**8, about a million million, values: a collision is so
rare that the unique constraint is the only guard, with no lookup first.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def new_reference(prefix: str, length: int = 8) -> str:
    # 256 is a multiple of 32, so each random byte's low five bits pick a letter evenly.
    return prefix + "".join(ALPHABET[b & 31] for b in secrets.token_bytes(length))


def clean_reference(raw: str) -> str:
    """A reference as a person may type it (``pay-abc0 1234``) in its stored form."""
    compact = "".join((raw or "").split()).upper()
    head, sep, tail = compact.partition("-")
    if sep:
        return f"{head}-{tail.translate(_CONFUSABLE)}"
    return compact.translate(_CONFUSABLE)
