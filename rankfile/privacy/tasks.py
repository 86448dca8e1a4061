"""The daily data-protection job: retention, and deferred erasures (safe to run twice)."""

from __future__ import annotations

from django_tasks import task


@task()
def privacy_daily() -> int:
    from rankfile.privacy.services import daily_run

    return daily_run().removed
