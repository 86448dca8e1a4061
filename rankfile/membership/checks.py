"""System checks of the membership settings: a misconfigured server refuses to start."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def check_bank_account(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The bank account joiners pay to is either fully set, and well shaped, or not at all."""
    name = settings.PAYMENT_BANK_ACCOUNT_NAME
    sort_code = settings.PAYMENT_BANK_SORT_CODE
    number = settings.PAYMENT_BANK_ACCOUNT_NUMBER
    if not (name or sort_code or number):
        return []
    problems: list[CheckMessage] = []
    if not (name and sort_code and number):
        problems.append(Error(
            "The bank account is only partly set.",
            hint="Set all of PAYMENT_BANK_ACCOUNT_NAME, PAYMENT_BANK_SORT_CODE and "
                 "PAYMENT_BANK_ACCOUNT_NUMBER, or none of them.", id="membership.E001"))
    if sort_code and not re.fullmatch(r"\d{2}-?\d{2}-?\d{2}", sort_code):
        problems.append(Error(
            f"PAYMENT_BANK_SORT_CODE {sort_code!r} is not a sort code.",
            hint="Write it as six digits, like 12-34-56.", id="membership.E002"))
    if number and not re.fullmatch(r"\d{8}", number):
        problems.append(Error(
            f"PAYMENT_BANK_ACCOUNT_NUMBER {number!r} is not an account number.",
            hint="Write it as eight digits, like 12345678.", id="membership.E003"))
    return problems
