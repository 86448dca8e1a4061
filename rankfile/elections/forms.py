"""The ballot paper: a number box per candidate, and the voting code when needed."""

from __future__ import annotations

from typing import Any

from django import forms

from rankfile.elections.models import Candidate, Election


class BallotForm(forms.Form):
    """``c<id>``: the number written beside each candidate (blank: not ranked)."""

    def __init__(self, election: Election, *args: Any, needs_code: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election
        self.candidates: list[Candidate] = list(
            election.candidates.filter(withdrawn=False).order_by("position", "pk"))
        count = len(self.candidates)
        if needs_code:
            self.fields["credential"] = forms.CharField(
                label="Your voting code", max_length=64,
                help_text="From the e-mail with your code: 20 letters and digits.",
                error_messages={"required": "Enter your voting code."},
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                              "autocapitalize": "characters"}))
        for c in self.candidates:
            self.fields[f"c{c.pk}"] = forms.IntegerField(
                label=c.name, required=False, min_value=1, max_value=count,
                help_text=f"Your preference for {c.name}: 1 to {count}, or leave blank.",
                error_messages={
                    "invalid": f"Write a whole number beside {c.name}, or leave it blank.",
                    "min_value": f"Write 1 to {count} beside {c.name}, or leave it blank.",
                    "max_value": f"Write 1 to {count} beside {c.name}, or leave it blank.",
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "rank"}))

    def numbers(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.candidates}

    def candidate_fields(self) -> list[forms.BoundField]:
        return [self[f"c{c.pk}"] for c in self.candidates]


class RulesForm(forms.Form):
    rules = forms.JSONField(label="Eligibility rules (JSON)",
                            error_messages={"required": "Enter the rules.",
                                            "invalid": "Enter the rules as a JSON object."},
                            widget=forms.Textarea(attrs={"rows": 12}))


class PostalForm(BallotForm):
    """A paper ballot as a keyer reads it: the voter's reference, then the numbers."""

    def __init__(self, election: Election, *args: Any, **kwargs: Any) -> None:
        super().__init__(election, *args, **kwargs)
        self.fields["reference"] = forms.CharField(
            label="Membership reference on the paper", max_length=20,
            help_text="Printed above the candidates, e.g. RF-7KQ2M4XA.",
            error_messages={"required": "Enter the membership reference printed on the "
                                        "paper."},
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                          "autocapitalize": "characters"}))
        self.order_fields(["reference"])
        for c in self.candidates:
            self.fields[f"c{c.pk}"].help_text = (f"The number written beside {c.name} on the "
                                                 "paper, or blank.")


class TrackersForm(forms.Form):
    trackers = forms.ChoiceField(
        label="How the bulletin shows ballot trackers",
        choices=[(Election.Trackers.BESIDE, "Beside their rankings: each voter can check what "
                  "their ballot says, and could show it to someone"),
                 (Election.Trackers.APART, "Listed apart from the ballots, in random order: "
                  "each voter can check their ballot was counted, not what it says")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the bulletin shows trackers."})
