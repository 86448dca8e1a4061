"""Forms of the joining flow.

They check shape only (lengths, dates, choices); the rules live in the
services, whose refusals name these same fields.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings

from rankfile.core.errors import Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.membership.models import Category
from rankfile.membership.services.joining import CategoryOffer, JoinData, affiliated_unions
from rankfile.membership.services.payments import format_pence


def new_form_token() -> str:
    return secrets.token_urlsafe(18)


class JoinForm(forms.Form):
    """Details of a joiner, for one category (rates for members, union for affiliated)."""

    first_name = forms.CharField(
        label="First name", max_length=100,
        error_messages={"required": "Enter your first name.",
                        "max_length": "Your first name must be 100 characters or fewer."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(
        label="Last name", max_length=100,
        error_messages={"required": "Enter your last name.",
                        "max_length": "Your last name must be 100 characters or fewer."},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(
        label="E-mail address", max_length=254,
        help_text="We will send a link to this address to confirm it.",
        error_messages={"required": "Enter your e-mail address.",
                        "invalid": "Enter an e-mail address like name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    # A text box, not type=date: browsers show a date box in their own order
    # (mm/dd/yyyy in many), which would contradict the hint.
    date_of_birth = forms.DateField(
        label="Date of birth", help_text="Day, month and year, for example 17/05/1980.",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"],
        error_messages={"required": "Enter your date of birth.",
                        "invalid": "Enter your date of birth as day/month/year, like "
                                   "17/05/1980."},
        widget=forms.DateInput(attrs={"autocomplete": "bday", "inputmode": "numeric",
                                      "class": "short"}, format="%d/%m/%Y"),
    )
    address = forms.CharField(
        label="Address (optional)", max_length=300, required=False,
        help_text="House number and street; helps staff if we cannot place your postcode.",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10,
        error_messages={"required": "Enter your postcode.",
                        "max_length": "Enter a UK postcode, like E17 0AB."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize":
                                      "characters", "class": "short"}),
    )
    postcode_missing = forms.BooleanField(
        label="My postcode is missing from your list", required=False,
        help_text="Tick this only if we said we could not find your postcode; "
                  "staff will place you in your branch by hand.",
    )
    consent = forms.BooleanField(
        label="I agree that you hold my details, including the fact that I support you "
              "(my political opinion), as the privacy notice says.",
        error_messages={"required": "To join, tick the box to agree that we may hold your "
                                    "political opinion as the privacy notice says."},
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    field_order = ["rate", "union", "union_number", "first_name", "last_name", "email",
                   "date_of_birth", "address", "postcode", "postcode_missing", "consent"]

    def __init__(self, offer: CategoryOffer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.fields["consent"].help_text = (
            f"Privacy notice version {settings.PRIVACY_NOTICE_VERSION}.")
        if offer.kind == Category.Kind.MEMBER:
            self.fields["rate"] = forms.ChoiceField(
                label="Your rate", widget=forms.RadioSelect,
                choices=[(r.code, f"{r.name}: {format_pence(r.amount_pence)} "
                                  f"{r.get_period_display()}"
                                  + (f" ({r.description})" if r.description else ""))
                         for r in offer.rates],
                error_messages={"required": "Choose the rate you will pay."},
            )
        if offer.kind == Category.Kind.AFFILIATED_SUPPORTER:
            self.fields["union"] = forms.ChoiceField(
                label="Your trade union",
                choices=[("", "Choose your union")]
                + [(u.code, u.name) for u in affiliated_unions()],
                error_messages={"required": "Choose your trade union from the list."},
            )
            self.fields["union_number"] = forms.CharField(
                label="Your membership number with the union", max_length=40,
                error_messages={"required": "Enter your membership number with the union."})
        self.order_fields(self.field_order)

    def join_data(self) -> JoinData:
        """The application, from fields the form found well shaped (blank for the others)."""
        c = {**{name: None for name in self.fields}, **getattr(self, "cleaned_data", {})}
        return JoinData(
            category=self.offer.kind, first_name=c["first_name"], last_name=c["last_name"],
            email=c["email"], postcode=c["postcode"], date_of_birth=c["date_of_birth"],
            consent=c["consent"] is True, rate=c.get("rate"), union=c.get("union"),
            union_number=c.get("union_number"), address=c.get("address") or "",
            postcode_missing=c.get("postcode_missing") is True,
        )

    def add_refusals(self, refusals: list[Refusal]) -> None:
        """Show the service's refusals next to their fields, except where the form
        already found a problem with the field's shape (one message per field)."""
        for refusal in refusals:
            field = refusal.field if refusal.field in self.fields else None
            if field is not None and field in self.errors:
                continue
            if field is None and refusal.message in self.non_field_errors():
                continue
            form_add_refusal(self, refusal)
