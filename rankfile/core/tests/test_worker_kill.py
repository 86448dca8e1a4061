"""A worker killed mid-job (kill -9): another runs the job again, once, to the end."""

from __future__ import annotations

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rankfile.core.tests import jobs
from rankfile.core.tests.processes import (
    django_env,
    shared_database,
    start_worker,
    stop,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.processes]


def test_a_job_whose_worker_is_killed_runs_once_to_completion_on_another(tmp_path):
    gate, log = tmp_path / "gate", tmp_path / "job.log"
    log.touch()
    with shared_database(tmp_path) as url:
        env = django_env(url, JOB_LEASE_SECONDS="2")
        first = start_worker(env, tmp_path / "first.log")
        second = None
        try:
            result = jobs.wait_for_gate.enqueue(gate=str(gate), log=str(log))
            wait_until(lambda: "start" in log.read_text(), what="the first worker to start")
            second = start_worker(env, tmp_path / "second.log")
            first.kill()  # SIGKILL: no chance to put the job back
            first.wait()
            gate.touch()
            wait_until(lambda: DBTaskResult.objects.get(pk=result.id).status
                       == TaskResultStatus.SUCCESSFUL, what="the job to succeed")
        finally:
            stop(first)
            if second is not None:
                stop(second)
        row = DBTaskResult.objects.get(pk=result.id)

    assert second is not None
    assert [f"start {first.pid}", f"start {second.pid}", f"done {second.pid}"] == (
        log.read_text().splitlines())
    assert 2 == len(row.worker_ids)
