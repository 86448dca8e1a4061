from django import forms

from rankfile.mailings.services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH


class PreferencesForm(forms.Form):
    branch_mail = forms.BooleanField(
        label="E-mails from my branch", required=False,
        help_text="News and meeting calls your branch secretary sends. E-mails about your own "
                  "membership (payments, ballots) come whatever you choose.",
    )


class BranchMailForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX_LENGTH,
                              error_messages={"required": "Enter a subject."})
    message = forms.CharField(
        label="Message", max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Plain text. Each e-mail ends with a link to stop e-mails from the branch.",
        error_messages={"required": "Write the message."},
    )
