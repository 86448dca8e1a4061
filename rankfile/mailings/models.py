"""What people want by e-mail, and the e-mails branch secretaries send their branch."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MailPreferences(models.Model):
    """One person's choices about e-mail that is not about their own membership.

    No row means the defaults (``branch_mail`` on). ``version`` goes up at each
    change: an unsubscribe link carries the version it was made for, so an old
    link cannot undo a later choice.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="mail_preferences")
    branch_mail = models.BooleanField("E-mails from my branch", default=True)
    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    # How the last change came: "page" (the member's page) or "link" (an unsubscribe link).
    changed_via = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name_plural = "mail preferences"

    def __str__(self) -> str:
        return f"{self.user_id}: branch mail {'on' if self.branch_mail else 'off'}"


class BranchMailing(models.Model):
    """An e-mail a branch officer sent to the branch's members, and to how many."""

    branch = models.ForeignKey("branches.Body", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    # Set by the job that queues the messages, once: how many were addressed.
    queued_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.subject}"
