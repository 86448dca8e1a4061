"""Forms of the selections pages: they read input; the services decide."""

from __future__ import annotations

from django import forms

from rankfile.meetings.models import Question
from rankfile.selections.models import Applicant


class SelectionForm(forms.Form):
    office = forms.CharField(
        max_length=200, help_text="For example: Member of Parliament for Chingford and "
        "Woodford Green.", error_messages={"required": "Enter the office."})
    slug = forms.CharField(max_length=80, required=False, label="Address",
                           help_text="Letters, digits and hyphens; left empty, made from the "
                           "office.")
    sitting_representative = forms.CharField(
        max_length=200, required=False, label="Sitting representative",
        help_text="Their name, if the office has a holder from this party: they face a "
        "trigger ballot first.")
    trigger_deadline = forms.DateTimeField(
        required=False, label="Deadline for the branches' and affiliates' decisions",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter the deadline as 2027-01-31 23:59."})
    branch_threshold = forms.CharField(
        max_length=20, initial="1/3", label="Branches' threshold",
        help_text="The share of branches saying yes that triggers an open selection, e.g. 1/3.")
    affiliate_threshold = forms.CharField(
        max_length=20, initial="1/3", label="Affiliates' threshold",
        help_text="The share of affiliates saying yes that triggers an open selection.")


def question_label(question: Question) -> str:
    result = "carried" if question.carried else "lost"
    return (f"{question.meeting.title}, {question.closed_at:%-d %B %Y}: motion "
            f"{question.motion.number} “{question.motion.title}” — {result}, "
            f"{question.votes_for} for, {question.votes_against} against, "
            f"{question.abstentions} abstaining")


class DecisionForm(forms.Form):
    """Choose the vote of the body's meeting that decided (and, for a nomination, whom)."""

    question = forms.TypedChoiceField(
        coerce=int, label="The vote that decided it",
        help_text="Votes on motions at your meetings since the selection began.",
        error_messages={"required": "Choose the vote of your meeting that decided it.",
                        "invalid_choice": "Choose one of your meeting's votes from the list."})
    applicant = forms.TypedChoiceField(
        coerce=int, required=False, label="Whom the motion nominates",
        error_messages={"invalid_choice": "Choose one of the applicants from the list."})

    def __init__(self, *args: object, questions: list[Question],
                 applicants: list[Applicant] | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["question"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a vote")] + [(q.pk, question_label(q)) for q in questions]
        pick = self.fields["applicant"]
        assert isinstance(pick, forms.ChoiceField)
        if applicants is None:
            del self.fields["applicant"]
        else:
            pick.required = True
            pick.error_messages["required"] = "Choose whom the motion nominates."
            pick.choices = [("", "Choose an applicant")] + [(a.pk, a.name) for a in applicants]


class ApplicantForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the name."})
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                max_length=5000)


class ShortlistForm(forms.Form):
    applicant = forms.IntegerField(widget=forms.HiddenInput)
    shortlisted = forms.TypedChoiceField(
        coerce=lambda v: v == "yes", choices=[("yes", "Shortlist"), ("no", "Leave off")],
        widget=forms.RadioSelect, label="Decision",
        error_messages={"required": "Choose to shortlist or to leave off."})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             error_messages={"required": "Give the reason."})


class HustingsForm(forms.Form):
    meeting = forms.TypedChoiceField(coerce=int, label="Meeting of the constituency",
                                     error_messages={"required": "Choose a meeting.",
                                                     "invalid_choice": "Choose a meeting "
                                                     "from the list."})


class BallotForm(forms.Form):
    ballot_opens_at = forms.DateTimeField(
        required=False, label="Ballot opens", widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter the date as 2027-02-01 09:00."})
    ballot_closes_at = forms.DateTimeField(
        required=False, label="Ballot closes", widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter the date as 2027-02-14 17:00."})


