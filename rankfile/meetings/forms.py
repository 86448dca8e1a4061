"""Forms of the meetings pages: they read input; the services decide."""

from __future__ import annotations

from django import forms


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
