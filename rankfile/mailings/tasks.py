"""Jobs of the mailings app: address a branch mailing (safe to run twice)."""

from __future__ import annotations

from django_tasks import task


@task()
def queue_branch_mailing(*, mailing_id: int) -> None:
    from rankfile.mailings.services import branch_mailing_queue

    branch_mailing_queue(mailing_id=mailing_id)
