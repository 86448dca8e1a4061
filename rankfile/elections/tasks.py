"""The elections' jobs (they carry ids, never addresses or codes)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_credentials(*, election_id: int) -> int:
    """Make and mail the voting codes still to send; safe to run twice."""
    from rankfile.elections.services.credentials import credentials_send

    return credentials_send(election_id=election_id)


@task()
def send_reminders(*, election_id: int, round_number: int) -> int:
    """Queue one reminder per voter who has not voted, for this round; safe to run twice."""
    from rankfile.elections.services.credentials import reminders_send

    return reminders_send(election_id=election_id, round_number=round_number)
