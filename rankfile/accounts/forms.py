from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm
from django import forms
from django.http import HttpRequest

from rankfile.accounts.models import Role
from rankfile.accounts.services import password_reset_request


class PasswordResetForm(ResetPasswordForm):
    """allauth's reset form, without looking the address up during the request."""

    def clean_email(self) -> str:
        return str(get_adapter().clean_email(self.cleaned_data["email"].lower()))

    def save(self, request: HttpRequest, **kwargs: object) -> str:
        email = str(self.cleaned_data["email"])
        password_reset_request(email=email)
        return email


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Role) -> str:
        return f"{obj.get_kind_display()} of {obj.body.name}"


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, such as the program that will use it.",
        error_messages={"required": "Give the token a name."},
    )
    role = RoleChoiceField(
        label="Acts as",
        queryset=Role.objects.none(),
        help_text="The token reads only what this role of yours may read, and stops working "
                  "when the role ends.",
        error_messages={"required": "Choose the role the token acts under.",
                        "invalid_choice": "Choose one of your roles."},
    )

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        field.queryset = roles  # type: ignore[attr-defined]
        if len(roles) <= 1:
            # Nothing to choose: the service uses the one role (or refuses without one).
            field.required = False
            field.widget = forms.HiddenInput()
