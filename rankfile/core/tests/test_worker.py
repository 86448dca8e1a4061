"""The worker's leases, run in this process (test_worker_kill.py kills real workers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rankfile.core.models import JobLease
from rankfile.core.tests import jobs
from rankfile.core.worker import LOST_PATH, jobs_recover, lease_renew

# The worker closes its connection between jobs: no test transaction around it.
pytestmark = pytest.mark.django_db(transaction=True)


def work(*args: str) -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", *args)


@pytest.fixture(autouse=True)
def _seen():
    jobs.SEEN.clear()
    yield
    jobs.SEEN.clear()


def claimed_by_a_dead_worker(job: Any, *, lease_left: float = 60,
                             **kwargs: object) -> DBTaskResult:
    """A job claimed by a worker that is gone, its lease running out in ``lease_left`` s."""
    row = DBTaskResult.objects.get(pk=job.enqueue(**kwargs).id)
    row.claim("dead-worker")
    JobLease.objects.create(job=row, worker_id="dead-worker",
                            expires_at=timezone.now() + dt.timedelta(seconds=lease_left))
    return row


def test_it_holds_a_lease_while_the_job_runs_and_drops_it_after():
    result = jobs.look_at_lease.enqueue()

    work("--worker-id", "w1")

    assert [["w1"]] == jobs.SEEN
    assert 0 == JobLease.objects.count()
    row = DBTaskResult.objects.get(pk=result.id)
    assert TaskResultStatus.SUCCESSFUL == row.status
    assert ["w1"] == row.worker_ids


def test_it_runs_again_a_job_whose_worker_died(_clock):
    row = claimed_by_a_dead_worker(jobs.remember, value=7)
    _clock.shift(dt.timedelta(seconds=61))

    work("--worker-id", "w2")

    row.refresh_from_db()
    assert [7] == jobs.SEEN
    assert TaskResultStatus.SUCCESSFUL == row.status
    assert ["dead-worker", "w2"] == row.worker_ids
    assert 0 == JobLease.objects.count()


def test_it_leaves_a_job_whose_lease_still_holds():
    row = claimed_by_a_dead_worker(jobs.remember, value=7)

    work()

    row.refresh_from_db()
    assert [] == jobs.SEEN
    assert TaskResultStatus.RUNNING == row.status
    assert "dead-worker" == JobLease.objects.get().worker_id


def test_it_gives_up_on_a_job_that_took_down_too_many_workers(_clock, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    row = claimed_by_a_dead_worker(jobs.remember, value=7)
    DBTaskResult.objects.filter(pk=row.pk).update(worker_ids=["w1", "w2", "dead-worker"])
    _clock.shift(dt.timedelta(seconds=61))

    work()

    row.refresh_from_db()
    assert [] == jobs.SEEN
    assert TaskResultStatus.FAILED == row.status
    assert LOST_PATH == row.exception_class_path
    assert "died 3 times" in row.traceback


def test_it_records_no_result_once_its_lease_is_lost(caplog):
    result = jobs.lose_lease.enqueue()

    work("--worker-id", "w1")

    row = DBTaskResult.objects.get(pk=result.id)
    assert TaskResultStatus.RUNNING == row.status
    assert "another" == JobLease.objects.get().worker_id
    assert "after its lease expired" in caplog.text


def test_it_puts_back_a_job_left_running_by_a_worker_without_leases(_clock):
    row = DBTaskResult.objects.get(pk=jobs.remember.enqueue(value=3).id)
    row.claim("stock-db-worker")
    _clock.shift(dt.timedelta(seconds=61))

    work("--lease", "60")

    row.refresh_from_db()
    assert [3] == jobs.SEEN
    assert TaskResultStatus.SUCCESSFUL == row.status


def test_it_leaves_a_recent_job_of_a_worker_without_leases():
    row = DBTaskResult.objects.get(pk=jobs.remember.enqueue(value=3).id)
    row.claim("stock-db-worker")

    work("--lease", "60")

    row.refresh_from_db()
    assert TaskResultStatus.RUNNING == row.status


def test_a_renewal_moves_the_lease_on_only_for_its_holder(_clock):
    row = claimed_by_a_dead_worker(jobs.remember, value=1, lease_left=5)
    _clock.shift(dt.timedelta(seconds=30))

    assert not lease_renew(job_id=row.pk, worker_id="someone-else", seconds=60)
    assert lease_renew(job_id=row.pk, worker_id="dead-worker", seconds=60)
    assert 0 == jobs_recover(lease_seconds=60)
    _clock.shift(dt.timedelta(seconds=61))
    assert 1 == jobs_recover(lease_seconds=60)


def test_the_heartbeat_renews_the_lease_while_the_job_runs():
    result = jobs.wait_for_renewal.enqueue()

    work("--lease", "1")

    row = DBTaskResult.objects.get(pk=result.id)
    assert TaskResultStatus.SUCCESSFUL == row.status
    assert row.return_value is True


def test_a_forced_stop_puts_the_job_back():
    result = jobs.stop_now.enqueue()

    with pytest.raises(SystemExit):
        work()

    row = DBTaskResult.objects.get(pk=result.id)
    assert TaskResultStatus.READY == row.status
    assert 0 == JobLease.objects.count()


def test_it_refuses_to_start_with_a_lease_shorter_than_two_seconds(settings):
    from rankfile.core.checks import check_jobs

    settings.JOB_LEASE_SECONDS = 1

    assert ["rankfile.E010"] == [problem.id for problem in check_jobs(None)]
