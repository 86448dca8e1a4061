"""The vetting checks as a job, so that no application waits unflagged for staff to
press "Run the checks": ``rankfile vetting_check`` enqueues it (hourly, from cron)."""

from __future__ import annotations

from django_tasks import task


@task()
def vetting_check_job() -> str:
    """Check every application waiting for vetting against the exclusion list, the
    other memberships (duplicates) and its union's list. Safe to run twice: what is
    already flagged or paired is not flagged again."""
    from rankfile.core.actors import System
    from rankfile.vetting.services import vetting_check

    return str(vetting_check(by=System("vetting checks job")))
