"""Forms: they check shape (required, length, type); the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from rankfile.branches.models import Body
from rankfile.discussion.models import Article, CommentPolicy, CommentReport
from rankfile.discussion.services.comments import MAX_NAME, MAX_TEXT

EMAIL_ERROR = "Enter your e-mail address like name@example.org, or leave it empty."


class CommentForm(forms.Form):
    """A comment or a reply. Members comment under their own name: no name or e-mail."""

    name = forms.CharField(
        label="Your name", max_length=MAX_NAME,
        error_messages={"required": "Please enter your name",
                        "max_length": f"Your name is too long: keep it under {MAX_NAME} "
                                      "characters."},
    )
    email = forms.EmailField(
        label="Your e-mail (optional)", required=False, max_length=254,
        help_text="Never shown. Lets moderators approve you once; erase it at any time.",
        error_messages={"invalid": EMAIL_ERROR, "max_length": EMAIL_ERROR},
    )
    text = forms.CharField(
        label="Your comment", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Please enter your comment",
                        "max_length": f"Your comment is too long: keep it under {MAX_TEXT:,} "
                                      "characters."},
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Honeypot: hidden from people and from screen readers; bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, member: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        if member:
            del self.fields["name"]
            del self.fields["email"]


class CommentEditForm(forms.Form):
    text = forms.CharField(
        label="Your comment", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Please enter your comment"},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this comment?", choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are reporting this comment."},
    )
    detail = forms.CharField(label="Anything the moderators should know (optional)",
                             required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ModerateForm(forms.Form):
    action = forms.ChoiceField(choices=(("hide", "Remove"), ("approve", "Approve")))
    reason = forms.CharField(
        label="Reason (recorded)", max_length=500,
        error_messages={"required": "Give a reason for your decision."},
    )


class EraseRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address", max_length=254,
        error_messages={"required": "Please enter your e-mail address.",
                        "invalid": "Enter your e-mail address like name@example.org."},
    )


class ArticleForm(forms.Form):
    body = forms.ModelChoiceField(queryset=Body.objects.none(),
                                  label="Branch or constituency it belongs to")
    title = forms.CharField(max_length=200)
    standfirst = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="One or two sentences shown under the title "
                                           "and in link previews.")
    markdown = forms.CharField(label="Text", max_length=100_000,
                               widget=forms.Textarea(attrs={"rows": 16}),
                               help_text="Markdown: **bold**, *italic*, [link](https://…), "
                                         "## heading, - list.")
    tags = forms.CharField(required=False, max_length=500,
                           help_text="Separated by commas, e.g. joining, leadership election")
    other_authors = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        label="Other authors (optional)",
        help_text="One per line: name, then a comma and their branch or constituency.")
    visibility = forms.ChoiceField(choices=Article.Visibility.choices,
                                   label="Who may read it")
    comment_policy = forms.ChoiceField(
        choices=(("", "As the branch or constituency decides"), *CommentPolicy.choices),
        required=False, label="Comments")
    image = forms.FileField(required=False, help_text="JPEG, PNG, GIF or WebP, up to 5 MB.")
    image_alt = forms.CharField(required=False, max_length=300,
                                label="Image description (alt text)",
                                help_text="Required with an image: what it shows.")
    image_caption = forms.CharField(required=False, max_length=300, label="Caption")
    image_credit = forms.CharField(required=False, max_length=200, label="Credit")
    link_kind = forms.ChoiceField(
        required=False, label="Linked meeting or election",
        choices=(("", "None"), *Article.LinkKind.choices))
    link_url = forms.CharField(required=False, max_length=500, label="Its address")
    link_label = forms.CharField(required=False, max_length=200, label="Link text")

    def __init__(self, *args: Any, bodies: QuerySet[Body] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            field = self.fields["body"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = bodies

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean_other_authors(self) -> list[tuple[str, Body | None]]:
        found = []
        for line in self.cleaned_data["other_authors"].splitlines():
            if not line.strip():
                continue
            name, _, where = (p.strip() for p in line.partition(","))
            body = None
            if where:
                body = Body.objects.filter(
                    kind__in=(Body.Kind.BRANCH, Body.Kind.CONSTITUENCY), name__iexact=where
                ).first()
                if body is None:
                    raise forms.ValidationError(
                        f"There is no branch or constituency called “{where}”.")
            found.append((name, body))
        return found
