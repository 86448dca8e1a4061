"""Forms of the staff payments and placements pages.

They check shape only (lengths, dates, choices); the rules live in the
services, whose refusals name these same fields.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from rankfile.branches.models import Ward
from rankfile.membership.models import Payment
from rankfile.membership.services.bank import ENCODINGS
from rankfile.membership.services.payments import OFFLINE_METHODS


class PaymentSearchForm(forms.Form):
    q = forms.CharField(label="Payment reference, name or e-mail address", max_length=100,
                        required=False, widget=forms.TextInput(attrs={"type": "search"}))


class PaymentRecordForm(forms.Form):
    method = forms.ChoiceField(
        label="Paid by", widget=forms.RadioSelect,
        choices=[(m.value, m.label) for m in Payment.Method if m in OFFLINE_METHODS],
        error_messages={"required": "Choose how it was paid."},
    )
    amount = forms.DecimalField(
        label="Amount received (£)", min_value=Decimal("0.01"), max_value=Decimal("100000"),
        max_digits=8, decimal_places=2,
        error_messages={"invalid": "Enter the amount in pounds, like 25.00."},
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False,
                           help_text="For example, the cheque number.")

    def amount_pence(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class WardChoiceField(forms.ModelChoiceField):
    """Wards named with their constituency: two councils may both have a "Central"."""

    def label_from_instance(self, obj: Ward) -> str:
        return f"{obj.name} ({obj.constituency.name})"


class PlacementForm(forms.Form):
    ward = WardChoiceField(
        label="Ward", queryset=Ward.objects.select_related("constituency").order_by("name"),
        empty_label="Choose the ward of their address",
        error_messages={"required": "Choose the ward of their address."},
        help_text="Find the address on the council's ward map if you are unsure.",
    )


class RefundForm(forms.Form):
    reason = forms.CharField(
        label="Why is it refunded?", max_length=300,
        help_text="For staff and auditors only: the member is told that it was refunded, "
                  "not why.",
        error_messages={"required": "Say why the payment is refunded."},
    )
    manual = forms.BooleanField(
        label="I returned the money by hand (bank transfer, cheque or cash)", required=False,
        help_text="Leave it unticked to refund a card or Direct Debit payment through Stripe.",
    )

    def __init__(self, *args: object, through_stripe: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not through_stripe:
            # An offline payment can only be returned by hand: recording that is the refund.
            del self.fields["manual"]


class StatementForm(forms.Form):
    statement = forms.FileField(
        label="Bank statement (CSV)",
        help_text="Export it from your bank as CSV: a date, a description or reference and an "
                  "amount on each row. Nothing is recorded until you have checked the report.",
        error_messages={"required": "Choose the statement file to check.",
                        "empty": "The file is empty. Export the statement again as CSV."},
    )
    encoding = forms.ChoiceField(
        label="Encoding", initial="utf-8",
        choices=list(ENCODINGS.items()),
        help_text="If the report says a row is not UTF-8 text, choose Windows-1252.",
    )
