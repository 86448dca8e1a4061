"""The one table of core: the leases that workers hold on the jobs they run."""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class JobLease(models.Model):
    """A worker's hold on a running job, renewed while the job runs (``core.worker``).

    Written in the same transaction as the claim that marks the job RUNNING and
    deleted in the one that records its end. A lease whose ``expires_at`` has
    passed belongs to a worker that died (``kill -9``, a lost machine): the
    next worker puts its job back in the queue.
    """

    job = models.OneToOneField(DBTaskResult, primary_key=True, on_delete=models.CASCADE,
                               related_name="lease")
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "job lease"

    def __str__(self) -> str:
        return f"{self.job_id} held by {self.worker_id} until {self.expires_at:%H:%M:%S}"
