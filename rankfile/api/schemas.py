"""Request and response shapes of the HTTP API, and plain words for bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field

from rankfile.membership.models import Category

# Labels used to name a field in an error message.
LABELS = {
    "category": "category",
    "first_name": "first name",
    "last_name": "last name",
    "email": "e-mail address",
    "postcode": "postcode",
    "date_of_birth": "date of birth",
    "consent": "consent",
    "rate": "rate",
    "union": "union",
    "union_number": "union membership number",
    "address": "address",
    "postcode_missing": "postcode_missing",
}


class JoinIn(BaseModel):
    """A joining application, as the joining form takes it.

    Text is checked by the joining service (length, unreadable characters,
    postcode, age, window), so the API answers with the form's own messages;
    a field left out is treated as left blank on the form.
    """

    category: str = Field(default="", json_schema_extra={"enum": [*Category.Kind.values]})
    first_name: str = Field(default="", description="at most 100 characters")
    last_name: str = Field(default="", description="at most 100 characters")
    email: str = ""
    postcode: str = Field(default="", examples=["E4 7AA"])
    date_of_birth: dt.date | None = None
    consent: bool = Field(
        default=False,
        description="true: the joiner agrees that their political opinion is held as the "
        "privacy notice says",
    )
    rate: str | None = Field(default=None, description="members: the code of the dues rate")
    union: str | None = Field(default=None, description="affiliated supporters: the union code")
    union_number: str | None = Field(
        default=None, description="affiliated supporters: membership number with the union"
    )
    address: str = ""
    postcode_missing: bool = Field(
        default=False, description="true if the postcode is missing from the list: staff "
        "place the joiner by hand"
    )


class BankOut(Schema):
    account_name: str
    sort_code: str = Field(examples=["12-34-56"])
    account_number: str = Field(examples=["12345678"])


class InstructionsOut(Schema):
    """How to pay: the amount, the reference to quote, and where to pay."""

    reference: str = Field(description="The payment reference to quote, e.g. PAY-…")
    amount_pence: int
    amount: str = Field(examples=["£25.00"])
    pay_to: str = Field(description="Where to pay, in words")
    bank: BankOut | None = Field(
        description="The account to pay by bank transfer; null when the organisation has "
        "not published it (then pay_to and instructions say to ask the membership office)")
    instructions: str = Field(description="The whole instructions, in plain words")


class PaymentOut(Schema):
    reference: str
    amount_pence: int
    status: str
    instructions: InstructionsOut


class JoinOut(Schema):
    reference: str = Field(description="The application's public reference, e.g. RF-…")
    status: str
    category: str
    payment: PaymentOut | None = None


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class HourOut(Schema):
    hour: str = Field(description="Start of the hour, UTC, ISO 8601")
    count: int


class TotalsOut(Schema):
    people: int = Field(description="everyone who confirmed their e-mail address, whatever "
                        "their status now")
    in_good_standing: int = Field(description="active or in arrears")
    ended: int = Field(description="lapsed, expelled, resigned, or expired unpaid")
    by_category: dict[str, int]
    by_status: dict[str, int]


class ReceivedOut(Schema):
    total: int
    by_category: dict[str, int]


class WindowOut(Schema):
    name: str
    category: str
    opens_at: str
    closes_at: str


class StatsOut(Schema):
    as_of: str = Field(description="When the figures were counted (UTC); a few seconds old at most")
    applications_received: ReceivedOut = Field(
        description="every application accepted, whoever made it (an address we already "
                    "knew included), by category")
    by_category: dict[str, dict[str, int]] = Field(
        description="people who confirmed their e-mail address, by category, then status")
    totals: TotalsOut
    window: WindowOut | None
    signups_per_hour: list[HourOut]


class BranchOut(Schema):
    code: str
    name: str


class MemberOut(Schema):
    reference: str
    first_name: str
    last_name: str
    email: str
    category: str
    status: str
    branch: BranchOut | None
    applied_at: dt.datetime
    joined_on: dt.date | None
    good_standing_since: dt.date | None


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def validation_message(error: dict[str, Any]) -> tuple[str, str | None]:
    """Plain words for one pydantic error from ninja, and the field it is about."""
    if error.get("loc", ("",))[0] == "header":
        return (
            "Send an Idempotency-Key header: a fresh random value of at most 100 characters "
            "for each application, the same one again when retrying.",
            "Idempotency-Key",
        )
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload")]
    field = loc[0] if loc else None
    kind = error.get("type", "")
    label = LABELS.get(field or "", field or "request")
    if field is None:
        return "Send the application as a JSON object.", None
    if field == "date_of_birth":
        # The form's words, with the API's format (ISO 8601) as the example.
        return "Enter your date of birth as a date, like 1980-05-17.", field
    if kind.startswith("bool"):
        return f"Give {label} as true or false.", field
    if kind.startswith("string"):
        return f"Give your {label} as text.", field
    return f"Check your {label}.", field
