"""Forms of the meetings pages: they read input; the services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the title."})
    starts_at = forms.DateTimeField(
        label="Date and time", help_text="For example 2026-12-03 19:30.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": "Enter the date and time.",
                        "invalid": "Enter the date and time as 2026-12-03 19:30."})
    place = forms.CharField(max_length=300, required=False, help_text="Or give an online link.")
    online_link = forms.CharField(max_length=200, required=False, label="Online link")
    motions_deadline = forms.DateTimeField(
        label="Deadline for motions", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter the deadline as 2026-12-01 19:30."})
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                             max_length=20_000)
    is_public = forms.BooleanField(
        label="Open to the public", required=False,
        help_text="A public page anyone can read and share, with a calendar file and a sign-up "
                  "for guests who are not members (a rally, a public meeting).")


class GuestForm(forms.Form):
    """Sign-up on a public meeting's page: the service checks what matters."""

    name = forms.CharField(label="Your name", max_length=200,
                           error_messages={"required": "Enter your name.",
                                           "max_length": "Shorten your name to 200 characters."},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label="Your e-mail address", max_length=254,
                            help_text="We send you the details, and nothing else unless you "
                                      "say yes below.",
                            error_messages={"required": "Enter your e-mail address."},
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    consent = forms.ChoiceField(
        choices=(("yes", "Yes, you may contact me"), ("no", "No, only about this meeting")),
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether we may contact you: yes or no.",
                        "invalid_choice": "Say whether we may contact you: yes or no."})

    def __init__(self, *args: object, wording: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["consent"].label = wording

    def clean_email(self) -> str:
        """Said with the other problems at once; the service checks it again."""
        email = str(self.cleaned_data["email"]).strip()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError("Enter an e-mail address like name@example.org.") from None
        return email
