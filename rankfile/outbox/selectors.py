"""What staff see of the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from rankfile.outbox.models import OutboxMessage


def outbox_problem_list(*, purpose: str | None = None,
                        key_prefix: str = "") -> QuerySet[OutboxMessage]:
    """Messages that bounced or could not be sent, newest first (of one purpose, if given).

    Their bodies may be erased (a sent message's is); the address, subject,
    purpose and ``error`` say what went wrong.
    """
    problems = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.BOUNCED])
    if purpose is not None:
        problems = problems.filter(purpose=purpose)
    if key_prefix:
        problems = problems.filter(key__startswith=key_prefix)
    return problems.order_by("-queued_at", "-pk")


def outbox_message_with_id(message_id: str) -> OutboxMessage | None:
    """The message with this Message-ID (with or without its angle brackets), or None."""
    message_id = message_id.strip()
    if not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    return OutboxMessage.objects.filter(message_id=message_id).first()
