"""Pseudonymous ids: how audit trails name people without holding their names.

The id is a keyed hash of the person's account number: the same person gets
the same id in every trail, before and after erasure, and nobody without the
site's secret key can work back from the id to the account. In ``core`` so
that every app's trail (access logs, vetting decisions, erasures) uses the
same id.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

SALT = "rankfile.privacy.pseudonym"


def pseudonym(user_id: int) -> str:
    return "P-" + salted_hmac(SALT, str(user_id)).hexdigest()[:16].upper()


def address_pseudonym(email: str) -> str:
    """The id of someone known only by an e-mail address (a guest with no login).

    Keyed like ``pseudonym``, on the address lower-cased, and marked ``G-``
    so it can never be taken for a person's ``P-`` id.
    """
    return "G-" + salted_hmac(SALT, "address:" + email.strip().lower()).hexdigest()[:16].upper()
