"""Selecting a constituency's candidate for public office, and the trigger ballot before it.

A sitting representative first faces a trigger ballot: each branch of the
constituency and each affiliate decides at one of its meetings whether to hold
an open selection. A decision is never typed in: it is a link (``Decision``) to
the closed question of the body's meeting that decided it, and its result and
figures are read from that question. Then nominations (again decisions of the
bodies' meetings), a shortlist with reasons, hustings (meetings of the
constituency) and a one member one vote ballot (an election of the
constituency, run by the elections app).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Selection(models.Model):
    class Stage(models.TextChoices):
        TRIGGER = "trigger", "Trigger ballot"
        NOMINATIONS = "nominations", "Nominations"
        SHORTLIST = "shortlist", "Shortlisting"
        HUSTINGS = "hustings", "Hustings"
        BALLOT = "ballot", "Members' ballot"
        SELECTED = "selected", "Candidate selected"

    class Outcome(models.TextChoices):
        OPEN = "open", "Open selection"
        RESELECTED = "reselected", "Representative reselected"

    slug = models.SlugField(max_length=80, unique=True)
    constituency = models.ForeignKey("branches.Body", on_delete=models.PROTECT,
                                     related_name="selections")
    # The office the candidate stands for, e.g. "Member of Parliament for Chingford ...".
    office = models.CharField(max_length=200)
    # The sitting representative, by name; empty when there is none (no trigger ballot).
    sitting_representative = models.CharField(max_length=200, blank=True)
    stage = models.CharField(max_length=12, choices=Stage.choices)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")

    # The trigger ballot's rules, as data: an open selection follows when the share of
    # branches saying yes reaches ``branch_threshold``, or the share of affiliates
    # reaches ``affiliate_threshold`` (fractions written "1/3"). Shares are of every
    # branch and affiliate, so one that did not decide counts as not saying yes.
    branch_threshold = models.CharField(max_length=20, default="1/3")
    affiliate_threshold = models.CharField(max_length=20, default="1/3")
    trigger_deadline = models.DateTimeField(null=True, blank=True)
    # Set once, when the thresholds are applied; the figures they were applied to.
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    branches_yes = models.PositiveSmallIntegerField(null=True, blank=True)
    branches_total = models.PositiveSmallIntegerField(null=True, blank=True)
    affiliates_yes = models.PositiveSmallIntegerField(null=True, blank=True)
    affiliates_total = models.PositiveSmallIntegerField(null=True, blank=True)

    nominations_close_at = models.DateTimeField(null=True, blank=True)
    election = models.OneToOneField("elections.Election", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="selection")
    selected_name = models.CharField(max_length=200, blank=True)
    selected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "slug")

    def __str__(self) -> str:
        return f"Selection: {self.office}"

    def get_absolute_url(self) -> str:
        return reverse("selections:detail", args=[self.slug])


class Applicant(models.Model):
    """Someone seeking the nomination; shortlisted (or not) by the constituency's officers."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="applicants")
    name = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    added_at = models.DateTimeField()
    shortlisted = models.BooleanField(null=True, blank=True)
    shortlist_reason = models.TextField(blank=True)
    shortlisted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("name", "pk")
        constraints = [models.UniqueConstraint(fields=("selection", "name"),
                                               name="one_applicant_per_name")]

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """A body's decision, taken at its meeting: the link to the question that decided it.

    The answer (carried or not), the figures, the method and the date are the
    question's; nothing here repeats them. One decision per body and purpose.
    """

    class Purpose(models.TextChoices):
        TRIGGER = "trigger", "Trigger ballot"
        NOMINATION = "nomination", "Nomination"

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="decisions")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    body = models.ForeignKey("branches.Body", on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey("meetings.Question", on_delete=models.PROTECT, related_name="+")
    # Nominations only: whom the carried motion nominates.
    applicant = models.ForeignKey(Applicant, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="nominations")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ("selection", "purpose", "pk")
        constraints = [
            models.UniqueConstraint(fields=("selection", "purpose", "body"),
                                    name="one_decision_per_body"),
            models.UniqueConstraint(fields=("selection", "question"),
                                    name="one_decision_per_question"),
            models.CheckConstraint(condition=Q(purpose="trigger", applicant__isnull=True)
                                   | Q(purpose="nomination", applicant__isnull=False),
                                   name="nomination_names_applicant"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.get_purpose_display()} ({self.selection})"


class Hustings(models.Model):
    """A meeting of the constituency at which the shortlisted applicants speak."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="hustings")
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "hustings"
        constraints = [models.UniqueConstraint(fields=("selection", "meeting"),
                                               name="one_hustings_per_meeting")]

    def __str__(self) -> str:
        return f"Hustings: {self.meeting}"
