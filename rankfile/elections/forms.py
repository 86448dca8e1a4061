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


class ClaimForm(forms.Form):
    """A claim on one's own entry: the section one should be in, and why."""

    section = forms.ChoiceField(label="The section you should vote in", required=False,
                                error_messages={"invalid_choice": "Choose one of the sections."})
    grounds = forms.CharField(
        label="Why your entry is wrong", max_length=3000,
        help_text="Say what the roll has wrong and what shows it: when you joined or paid, "
                  "a decision on your application. At most 3,000 characters.",
        error_messages={"required": "Write why your entry is wrong.",
                        "max_length": "Keep your grounds to 3,000 characters or fewer."},
        widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "claim")
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = sections  # type: ignore[attr-defined]


class ObjectionForm(forms.Form):
    """An objection to another person's entry, named by membership reference."""

    reference = forms.CharField(
        label="Membership reference of the entry", max_length=20,
        help_text="As on the member's card, e.g. RF-ABC123.",
        error_messages={"required": "Give the membership reference of the entry.",
                        "max_length": "A membership reference has at most 12 characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))
    grounds = forms.CharField(
        label="Why this entry should not be on the roll", max_length=3000,
        help_text="Say what you know and how. At most 3,000 characters.",
        error_messages={"required": "Write why this entry should not be on the roll.",
                        "max_length": "Keep your grounds to 3,000 characters or fewer."},
        widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "objection")
        super().__init__(*args, **kwargs)


class DecisionForm(forms.Form):
    """The returning officer's decision on one claim or objection."""

    outcome = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect,
        choices=[("upheld", "Uphold: change the entry"), ("dismissed", "Dismiss: the entry "
                                                                        "stands")],
        error_messages={"required": "Choose to uphold or to dismiss.",
                        "invalid_choice": "Choose to uphold or to dismiss."})
    section = forms.ChoiceField(label="Section (a claim upheld)", required=False,
                                error_messages={"invalid_choice": "Choose one of the "
                                                                  "sections."})
    reason = forms.CharField(
        label="Reason", max_length=2000,
        help_text="Shown to the people concerned. At most 2,000 characters.",
        error_messages={"required": "Give the reason for the decision.",
                        "max_length": "Keep the reason to 2,000 characters or fewer."},
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [  # type: ignore[attr-defined]
            ("", "As claimed"), *sections]


class ReissueForm(forms.Form):
    reference = forms.CharField(
        label="Membership reference of the voter", max_length=20,
        help_text="Their old code stops working; a new one goes to the address on the roll.",
        error_messages={"required": "Give the voter's membership reference.",
                        "max_length": "A membership reference has at most 12 characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reissue")
        super().__init__(*args, **kwargs)


class BounceForm(forms.Form):
    message_id = forms.CharField(
        label="Message-ID of the bounced message", max_length=200,
        help_text="From the bounce report's copy of the original message.",
        error_messages={"required": "Give the Message-ID from the bounce report.",
                        "max_length": "A Message-ID has at most 200 characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    reason = forms.CharField(
        label="Why it bounced", max_length=1000,
        error_messages={"required": "Say why it bounced (the mail server's words).",
                        "max_length": "Keep it to 1,000 characters or fewer."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "bounce")
        super().__init__(*args, **kwargs)
