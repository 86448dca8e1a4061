"""Vetting: decisions on applications with their reasons, appeals, flags raised by
the exclusion list, duplicates and affiliated unions' lists.

``Membership.vetting`` holds the outcome; these rows hold why, who and when.
They are written only by ``vetting.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rankfile.membership.models import AffiliatedUnion, Membership


class ReasonCode(models.TextChoices):
    """Why an application was rejected. The label is for staff; the applicant reads
    ``PLAIN_WORDS`` (``vetting.reasons``)."""

    OTHER_PARTY = "other_party", "Member or candidate of another party"
    ABUSE = "abuse", "Abusive or discriminatory conduct"
    IDENTITY = "identity", "Identity could not be confirmed"
    DUPLICATE = "duplicate", "Already a member or applicant"
    NOT_ELIGIBLE = "not_eligible", "Not eligible for the category"
    UNION_UNVERIFIED = "union_unverified", "Union membership not confirmed"


class Decision(models.Model):
    """One staff decision on one application (approve or reject), logged one by one,
    also when taken in bulk."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="vetting_decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason_code = models.CharField(max_length=20, choices=ReasonCode.choices, blank=True)
    # For staff and auditors only: never shown or sent to the applicant.
    note = models.CharField(max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField()
    bulk = models.BooleanField(default=False)
    on_appeal = models.BooleanField(default=False)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.membership_id} {self.outcome} {self.reason_code}"


class Appeal(models.Model):
    """A rejected applicant's one appeal, decided by a staff member other than the one
    who rejected."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        UPHELD = "upheld", "Upheld: application approved"
        DISMISSED = "dismissed", "Dismissed: rejection stands"

    # One appeal per application, ever.
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE,
                                      related_name="vetting_appeal")
    rejection = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(max_length=3000)
    lodged_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("lodged_at", "pk")

    def __str__(self) -> str:
        return f"Appeal of {self.membership_id}: {self.outcome}"


class Flag(models.Model):
    """Something staff should look at before deciding, with the explanation."""

    class Kind(models.TextChoices):
        EXCLUSION = "exclusion", "On the exclusion list"
        DUPLICATE = "duplicate", "Possible duplicate"
        UNION = "union", "Union list mismatch"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="vetting_flags")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What matched, so the same match is flagged once.
    key = models.CharField(max_length=100)
    explanation = models.CharField(max_length=500)
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ("raised_at", "pk")
        constraints = [models.UniqueConstraint(fields=("membership", "kind", "key"),
                                               name="one_flag_per_match")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind}: {self.explanation}"


class ExclusionEntry(models.Model):
    """A person an application should be looked at twice for (e.g. a known candidate
    of another party). A match flags, never rejects."""

    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    note = models.CharField(max_length=300, blank=True)
    name_key = models.CharField(max_length=200, db_index=True)
    postcode_key = models.CharField(max_length=8, blank=True)
    address_key = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ("name", "pk")
        verbose_name_plural = "exclusion entries"

    def __str__(self) -> str:
        return self.name


class DuplicatePair(models.Model):
    """Two memberships that look like one person, until staff merge or tell them apart.

    ``first`` is the older application. Merging ends ``second`` (its history,
    payments and decisions stay where they are) and records which was kept.
    """

    class Status(models.TextChoices):
        OPEN = "open", "To decide"
        MERGED = "merged", "Merged"
        DISTINCT = "distinct", "Different people"

    first = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    rules = models.CharField(max_length=100)
    explanation = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("found_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("first", "second"), name="one_pair"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")),
                                   name="pair_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.status})"


class UnionListEntry(models.Model):
    """One line of an affiliated union's list of its members."""

    union = models.ForeignKey(AffiliatedUnion, on_delete=models.CASCADE, related_name="list_entries")
    number = models.CharField(max_length=40)
    surname = models.CharField(max_length=100)
    surname_key = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("union", "number")
        constraints = [models.UniqueConstraint(fields=("union", "number"),
                                               name="one_entry_per_union_number")]

    def __str__(self) -> str:
        return f"{self.union_id} {self.number}"
