"""What staff see of the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from rankfile.outbox.models import OutboxMessage


def outbox_problem_list(*, purpose: str | None = None) -> QuerySet[OutboxMessage]:
    """Messages that bounced or could not be sent, newest first (of one purpose, if given).

    Their bodies may be erased (a sent message's is); the address, subject,
    purpose and ``error`` say what went wrong.
    """
    problems = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.BOUNCED])
    if purpose is not None:
        problems = problems.filter(purpose=purpose)
    return problems.order_by("-queued_at", "-pk")
