"""Account forms: API tokens, and django-allauth's forms in our words."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm
from django import forms
from django.http import HttpRequest

from rankfile.accounts.models import Role
from rankfile.accounts.services import password_reset_request


class PasswordResetForm(ResetPasswordForm):
    """allauth's reset form, without looking the address up during the request, and
    with our label and messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _email_field(self.fields["email"])

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


def _email_field(field: forms.Field) -> None:
    field.label = "E-mail address"
    field.error_messages["required"] = "Enter your e-mail address."
    field.error_messages["invalid"] = "Enter an e-mail address like name@example.org."
    field.widget.attrs.pop("placeholder", None)  # a hint that vanishes as you type
    field.widget.attrs["spellcheck"] = "false"


class LoginForm(AllauthLoginForm):
    """allauth's login form: "E-mail address", no placeholders, and no "Forgot your
    password?" of its own (the page has one link for it, under the form)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _email_field(self.fields["login"])
        password = self.fields["password"]
        password.help_text = ""
        password.error_messages["required"] = "Enter your password."
        password.widget.attrs.pop("placeholder", None)
        self.fields["remember"].label = "Keep me logged in on this device"


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's form without its own "Forgot your password?" (the page has one) or
    placeholders; each field's required message names it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].help_text = ""
        for name, words in (("oldpassword", "your current password"),
                            ("password1", "a new password"),
                            ("password2", "the new password again")):
            self.fields[name].error_messages["required"] = f"Enter {words}."
            self.fields[name].widget.attrs.pop("placeholder", None)
