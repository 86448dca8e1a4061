"""The outbox's job: deliver queued messages (by id: a job never carries an address or link)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(*, ids: list[int]) -> int:
    """Send the still-queued messages among ``ids``; safe to run twice (see ``outbox_send``)."""
    from rankfile.outbox.services import outbox_send

    return outbox_send(ids=ids)
