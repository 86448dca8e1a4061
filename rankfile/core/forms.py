"""Showing a service's refusal on the form that asked for the action."""

from __future__ import annotations

from django import forms

from rankfile.core.errors import Refusal


def form_add_refusal(form: forms.BaseForm, refusal: Refusal) -> None:
    """Show ``refusal`` on ``form``: at the field it names, else above the form.

    Services name the field at fault by the form's own field names (the forms
    are written to match), so a refusal lands beside the input to correct. A
    field this form does not show (the API's, another form's) becomes an error
    about the whole form rather than being lost.
    """
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)
