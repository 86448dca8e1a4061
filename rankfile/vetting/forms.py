"""Forms of the vetting pages: shape only; the rules (and their refusals, naming these
fields) live in ``vetting.services``."""

from __future__ import annotations

from django import forms

from rankfile.branches.models import Body
from rankfile.membership.models import AffiliatedUnion, Category
from rankfile.vetting.models import Decision, Flag, ReasonCode


class QueueFilterForm(forms.Form):
    category = forms.ChoiceField(label="Category", required=False,
                                 choices=[("", "Every category"), *Category.Kind.choices])
    region = forms.ModelChoiceField(
        label="Region", required=False, empty_label="Every region",
        queryset=Body.objects.filter(kind=Body.Kind.REGION).order_by("name"))
    # A code, not a list: hundreds of branches make a select nobody can use (and slow).
    body = forms.CharField(label="Constituency or branch code", required=False, max_length=40,
                           help_text="For example WF-CHN, or E14000634.")
    flag = forms.ChoiceField(label="Flags", required=False, choices=[
        ("", "With or without flags"), ("any", "Any flag"), ("none", "No flag"),
        *Flag.Kind.choices])
    older_than_days = forms.IntegerField(label="Waiting at least (days)", required=False,
                                         min_value=0, max_value=3650)


REJECT_CHOICES = [("", "Choose a reason"), *ReasonCode.choices]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                choices=Decision.Outcome.choices,
                                error_messages={"required": "Choose to approve or to reject."})
    reason_code = forms.ChoiceField(
        label="Reason for a rejection", required=False, choices=REJECT_CHOICES,
        help_text="The applicant reads this reason in plain words.")
    note = forms.CharField(label="Internal note (optional)", required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="For staff and auditors only: never shown to the applicant.")


class BulkForm(DecisionForm):
    references = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.CharField(widget=forms.HiddenInput, required=False)


class AppealForm(forms.Form):
    statement = forms.CharField(
        label="Why should we look again?", max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter why we should look at your application again."},
        help_text="Say what we got wrong, and anything we did not know. You can appeal once.")


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision on the appeal", widget=forms.RadioSelect,
                                choices=[("uphold", "Uphold: approve the application"),
                                         ("dismiss", "Dismiss: the rejection stands")],
                                error_messages={"required": "Choose to uphold or to dismiss."})
    note = forms.CharField(label="Internal note (optional)", required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", error_messages={"required": "Choose a CSV file."})


class UnionUploadForm(UploadForm):
    union = forms.ModelChoiceField(label="Union", queryset=AffiliatedUnion.objects.all(),
                                   empty_label="Choose the union",
                                   error_messages={"required": "Choose the union."})
    field_order = ["union", "file"]


class MergeForm(forms.Form):
    keep = forms.TypedChoiceField(label="Keep", coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": "Choose which membership to keep."})

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["keep"].choices = choices  # type: ignore[attr-defined]
