"""One row per e-mail the organisation sends, from queueing to delivery (or failure)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """One e-mail to one address for one purpose, with its Message-ID fixed when queued.

    ``key`` says which message it is (``join_confirmation:RF-…``): queueing the
    same key again gives this row back, so a job run twice queues it once. The
    delivery job sends only rows still QUEUED and records each one as sent
    straight after the server accepted it; a worker killed in between sends it
    again with the same ``message_id``, which lets mail software drop the copy.
    The body is erased once the message is sent: it may hold a secret link.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"  # refused by the mail server, or too many attempts
        BOUNCED = "bounced", "bounced"  # accepted, then bounced back (outbox_record_bounce)

    key = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=64)
    message_id = models.CharField("Message-ID", max_length=200, unique=True)
    to = models.CharField(max_length=254)
    subject = models.TextField()
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "status"], name="outbox_purpose_status")]
        verbose_name = "outbox message"

    def __str__(self) -> str:
        return f"{self.purpose} to {self.to} ({self.status})"
