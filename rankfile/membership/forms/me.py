"""Forms for a member's own page: address and resignation."""

from django import forms

from rankfile.membership.services.changes import ADDRESS_MAX_LENGTH, REASON_MAX_LENGTH


class AddressForm(forms.Form):
    address = forms.CharField(
        label="Address",
        max_length=ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text="House number and street, then town.",
        error_messages={"required": "Enter your address."},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters",
                                      "class": "postcode"}),
        help_text="For example, E4 7AA. It decides your branch.",
        error_messages={"required": "Enter your postcode."},
    )


class ResignForm(forms.Form):
    reason = forms.CharField(
        label="Why are you leaving? (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only membership staff see this.",
    )


class NameForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name."},
    )
    last_name = forms.CharField(
        label="Last name", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your last name."},
    )


class RateForm(forms.Form):
    rate = forms.ChoiceField(
        label="Your dues rate", widget=forms.RadioSelect,
        error_messages={"required": "Choose the rate you will pay.",
                        "invalid_choice": "Choose one of the rates shown."},
    )

    def __init__(self, *args: object, rates: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["rate"].choices = rates  # type: ignore[attr-defined]


class UpgradeForm(RateForm):
    consent = forms.BooleanField(
        label="I have read the privacy notice and agree to it",
        error_messages={"required": "Agree to the privacy notice to become a member."},
    )


class RejoinForm(UpgradeForm):
    choice = forms.ChoiceField(
        label="How do you want to come back?", widget=forms.RadioSelect,
        error_messages={"required": "Choose how to come back.",
                        "invalid_choice": "Choose how to come back."},
    )
    field_order = ("choice", "rate", "consent")

    def __init__(self, *args: object, choices: list[tuple[str, str]],
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["choice"].choices = choices  # type: ignore[attr-defined]
        self.fields["rate"].required = False
        self.fields["rate"].label = "Your dues rate (when you start afresh)"
