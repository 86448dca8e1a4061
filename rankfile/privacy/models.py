"""The record of erasures and of the retention job's runs.

They name people only by pseudonymous id (``pseudonyms.pseudonym``), which
stays the same after the person is erased: the trail can be checked against
the other records (which keep the same id) without holding anyone's name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Erasure(models.Model):
    """A request to erase a person (or, from the retention rule, one application)."""

    class Status(models.TextChoices):
        DEFERRED = "deferred", "Deferred"
        DONE = "done", "Erased"

    class Kind(models.TextChoices):
        REQUEST = "request", "On the person's request"
        RETENTION = "retention", "Retention rule"

    pseudonym = models.CharField(max_length=20, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    # Kept so a deferred erasure can be done later; points at an anonymised row after it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    membership = models.OneToOneField("membership.Membership", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=300)
    # Why it waits (from ``holds.erasure_holds``), as shown to staff.
    holds = models.JSONField(default=list, blank=True)
    # What was removed, counted per kind of record.
    summary = models.JSONField(default=dict, blank=True)
    requested_by = models.CharField(max_length=40, blank=True)  # a pseudonym or the job
    requested_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at",)
        constraints = [
            # One erasure on request per person: the second is refused, not repeated.
            models.UniqueConstraint(fields=("pseudonym",), name="one_erasure_per_person",
                                    condition=models.Q(kind="request")),
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} {self.status}"


class RetentionRun(models.Model):
    """What one run of the retention job removed."""

    ran_at = models.DateTimeField()
    rule = models.CharField(max_length=200)
    removed = models.PositiveIntegerField(default=0)
    # The pseudonymous ids of the applications it anonymised.
    pseudonyms = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-ran_at",)

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d}: {self.removed} removed"
