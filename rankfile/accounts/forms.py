from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, such as the program that will use it.",
        error_messages={"required": "Give the token a name."},
    )
