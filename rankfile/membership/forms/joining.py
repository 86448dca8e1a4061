"""Forms of the joining flow.

They check shape only (lengths, dates, choices); the rules live in the
services, whose refusals name these same fields.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings

from rankfile.membership.models import Category
from rankfile.membership.services.joining import CategoryOffer, JoinData, affiliated_unions
from rankfile.membership.services.payments import format_pence


def new_form_token() -> str:
    return secrets.token_urlsafe(18)


class JoinForm(forms.Form):
    """Details of a joiner, for one category (rates for members, union for affiliated)."""

    first_name = forms.CharField(label="First name", max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label="Last name", max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(
        label="E-mail address", max_length=254,
        help_text="We will send a link to this address to confirm it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    date_of_birth = forms.DateField(
        label="Date of birth", help_text="For example, 17/05/1980.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %m %Y", "%d-%m-%Y"],
        error_messages={"invalid": "Enter your date of birth as a date, like 17/05/1980."},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"},
                               format="%Y-%m-%d"),
    )
    address = forms.CharField(
        label="Address (optional)", max_length=300, required=False,
        help_text="House number and street; helps staff if we cannot place your postcode.",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10,
        error_messages={"max_length": "Enter a UK postcode, like E17 0AB."},
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
                label="Your membership number with the union", max_length=40)
        self.order_fields(self.field_order)

    def join_data(self) -> JoinData:
        c = self.cleaned_data
        return JoinData(
            category=self.offer.kind, first_name=c["first_name"], last_name=c["last_name"],
            email=c["email"], postcode=c["postcode"], date_of_birth=c["date_of_birth"],
            consent=c["consent"], rate=c.get("rate"), union=c.get("union"),
            union_number=c.get("union_number"), address=c.get("address", ""),
            postcode_missing=c.get("postcode_missing", False),
        )
