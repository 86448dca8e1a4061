"""Forms of the officers' pages: the access log's filters and the members import."""

from __future__ import annotations

from typing import Any

from django import forms

from rankfile.membership.models import RecordAccess


class AccessLogFilter(forms.Form):
    by = forms.IntegerField(label="Officer's user number", required=False, min_value=1,
                            max_value=2**62,
                            error_messages={"invalid": "Enter the officer's number, like 42."})
    reference = forms.CharField(label="Membership reference", max_length=40, required=False)
    action = forms.ChoiceField(label="What they did", required=False,
                               choices=[("", "Anything"), *RecordAccess.Action.choices])
    allowed = forms.ChoiceField(label="Answer", required=False, choices=[
        ("", "Allowed or refused"), ("yes", "Allowed"), ("no", "Refused")])
    since = forms.DateField(label="From (YYYY-MM-DD)", required=False,
                            error_messages={"invalid": "Enter a date like 2016-07-12."})
    until = forms.DateField(label="To (YYYY-MM-DD)", required=False,
                            error_messages={"invalid": "Enter a date like 2016-07-12."})

    def clean_reference(self) -> str:
        value: str = self.cleaned_data["reference"]
        if any(ord(c) < 32 or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
               for c in value):
            raise forms.ValidationError("Enter the reference without control characters.")
        return value.strip()

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"by_id": data["by"], "reference": data["reference"],
                "allowed": {"yes": True, "no": False}.get(data["allowed"]),
                "action": data["action"], "since": data["since"], "until": data["until"]}


class MemberImportForm(forms.Form):
    file = forms.FileField(label="CSV file of members",
                           error_messages={"required": "Choose the CSV file to import.",
                                           "empty": "The file is empty: choose another."})
