"""The ballot paper: a number box per candidate, and the voting code when needed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from rankfile.elections.models import BodyNomination, Candidate, Election, NominationRules


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


# -- nominations ----------------------------------------------------------------------------

def _number(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, max_value=10_000_000,
        help_text="Leave blank for no such threshold.",
        error_messages={"invalid": "Write a whole number, or leave it blank.",
                        "min_value": "Write at least 1, or leave it blank.",
                        "max_value": "Write a smaller number."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _share(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal("0.01"), max_value=Decimal(100),
        max_digits=5, decimal_places=2, help_text="A percentage, such as 10 or 2.5.",
        error_messages={"invalid": "Write a percentage such as 10 or 2.5, or leave it blank.",
                        "min_value": "Write a percentage above 0, or leave it blank.",
                        "max_value": "Write a percentage of at most 100.",
                        "max_decimal_places": "Use at most two decimal places.",
                        "max_digits": "Write a percentage of at most 100."},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))


def _votes(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=10_000_000, initial=0,
        error_messages={"required": f"Enter the {label.lower()} (0 if none).",
                        "invalid": f"Write the {label.lower()} as a whole number.",
                        "min_value": f"Write the {label.lower()} as 0 or more.",
                        "max_value": f"Write a smaller number of {label.lower()}."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


_WHEN = {"required": "Enter the date and time.",
         "invalid": "Enter the date and time as 2026-12-03 19:30."}


class NominationRulesForm(forms.Form):
    """The nomination period and the thresholds, as the election's rules write them."""

    opens_at = forms.DateTimeField(
        label="Nominations open", help_text="For example 2026-12-03 09:00.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), error_messages=_WHEN)
    closes_at = forms.DateTimeField(
        label="Nominations close (the deadline)", help_text="For example 2026-12-17 12:00.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), error_messages=_WHEN)
    members_number = _number("Members: number of nominations")
    members_share = _share("Members: share of the body's members in good standing (%)")
    branches_number = _number("Branches: number of nominations")
    branches_share = _share("Branches: share of the body's branches (%)")
    affiliates_number = _number("Affiliates: number of nominations")
    affiliates_share = _share("Affiliates: share of the affiliated unions (%)")
    combine = forms.ChoiceField(
        label="How the thresholds combine", choices=NominationRules.Combine.choices,
        initial=NominationRules.Combine.EITHER, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the thresholds combine."})
    statement_order = forms.ChoiceField(
        label="Order of the candidates' statements", choices=NominationRules.Order.choices,
        initial=NominationRules.Order.FIXED, widget=forms.RadioSelect,
        error_messages={"required": "Choose the order of the statements."})
    statement_max_length = forms.IntegerField(
        label="Longest statement (characters)", initial=2000, min_value=1, max_value=10_000,
        error_messages={"required": "Enter the longest statement allowed.",
                        "invalid": "Write a whole number of characters.",
                        "min_value": "Allow at least 1 character.",
                        "max_value": "Allow at most 10000 characters."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class NominateForm(forms.Form):
    reference = forms.CharField(
        label="Their membership reference", max_length=20,
        help_text="On their membership card and their “My membership” page, like RF-7K2M9Q4T.",
        error_messages={"required": "Enter the membership reference of the person you "
                                    "nominate.",
                        "max_length": "A membership reference is at most 20 characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))


class ConsentForm(forms.Form):
    answer = forms.ChoiceField(
        label="Do you accept the nomination?", widget=forms.RadioSelect,
        choices=[("accept", "Yes, I accept and stand as a candidate"),
                 ("decline", "No, I decline")],
        error_messages={"required": "Choose whether you accept or decline."})
    statement = forms.CharField(
        label="Your statement", required=False, max_length=10_000, strip=False,
        help_text="Members read it before they vote. Plain text.",
        error_messages={"max_length": "Your statement must be %(limit_value)d characters or "
                                      "fewer (it has %(show_value)d)."},
        widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, limit: int = 2000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statement"].help_text = (
            f"Members read it before they vote. Plain text, at most {limit} characters.")


_PLURALS = {"branch": "branches", "union": "affiliates", "nominee": "nominees"}


class BodyNominationForm(forms.Form):
    """A branch's or an affiliate's decision to nominate, as its minutes record it."""

    kind = forms.ChoiceField(
        label="Who decided", choices=BodyNomination.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose whether a branch or an affiliate decided."})
    branch = forms.TypedChoiceField(label="Which branch", required=False, coerce=int,
                                    empty_value=None,
                                    help_text="If a branch decided.")
    union = forms.TypedChoiceField(label="Which affiliate", required=False, coerce=int,
                                   empty_value=None,
                                   help_text="If an affiliated union decided.")
    nominee = forms.TypedChoiceField(label="Nominee", coerce=int,
                                     error_messages={"required": "Choose the nominee."})
    decided_on = forms.DateField(
        label="Date of the decision", help_text="For example 2026-12-03.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date of the decision.",
                        "invalid": "Enter the date as 2026-12-03."})
    votes_for = _votes("Votes for")
    votes_against = _votes("Votes against")
    abstentions = _votes("Abstentions")
    record = forms.CharField(
        label="Record of the decision (optional)", required=False, max_length=300,
        help_text="Which meeting's minutes record it, e.g. “Chingford branch meeting, "
                  "3 December, item 4”.",
        error_messages={"max_length": "Describe the record in 300 characters or fewer."})

    def __init__(self, *args: Any, branches: list[tuple[int, str]],
                 unions: list[tuple[int, str]], nominees: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = [("", "Choose…")]
        self.fields["branch"].choices = choose + branches  # type: ignore[attr-defined]
        self.fields["union"].choices = choose + unions  # type: ignore[attr-defined]
        self.fields["nominee"].choices = choose + nominees  # type: ignore[attr-defined]
        for name in ("branch", "union", "nominee"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose one of the {_PLURALS[name]} listed.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == BodyNomination.Kind.BRANCH and not data.get("branch"):
            self.add_error("branch", "Choose the branch that decided.")
        if kind == BodyNomination.Kind.AFFILIATE and not data.get("union"):
            self.add_error("union", "Choose the affiliate that decided.")
        return data
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
