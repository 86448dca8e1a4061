from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm
from django import forms
from django.http import HttpRequest

from rankfile.accounts.services import password_reset_request


class PasswordResetForm(ResetPasswordForm):
    """allauth's reset form, without looking the address up during the request."""

    def clean_email(self) -> str:
        return str(get_adapter().clean_email(self.cleaned_data["email"].lower()))

    def save(self, request: HttpRequest, **kwargs: object) -> str:
        email = str(self.cleaned_data["email"])
        password_reset_request(email=email)
        return email


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, such as the program that will use it.",
        error_messages={"required": "Give the token a name."},
    )
