"""The elections' jobs (they carry ids, never addresses or codes)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_credentials(*, election_id: int) -> int:
    """Make and mail the voting codes still to send; safe to run twice."""
    from rankfile.elections.services.credentials import credentials_send

    return credentials_send(election_id=election_id)
