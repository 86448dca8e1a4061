import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks_db.models import DBTaskResult

RAN: list[int] = []


@task()
def remember(*, value: int) -> None:
    RAN.append(value)


@task(priority=5)
def remember_later(*, value: int) -> None:
    RAN.append(value)


# The worker closes its database connection between jobs: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_what_was_enqueued():
    RAN.clear()
    remember.enqueue(value=7)
    remember_later.enqueue(value=8)

    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert [7, 8] == sorted(RAN)
    assert 2 == DBTaskResult.objects.successful().count()


@pytest.fixture
def sweeps(monkeypatch):
    """The worker's sweeps, emptied for the test and restored after it."""
    from rankfile.core import worker

    monkeypatch.setattr(worker, "_SWEEPS", [])
    return worker


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_until_nothing_is_due_then_stops(sweeps):
    due = [3, 2]  # two batches, then nothing
    calls = []

    def sweep() -> int:
        calls.append(len(due))
        return due.pop(0) if due else 0

    sweeps.sweep_register(sweep)
    sweeps.sweep_register(sweep)  # once only

    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")

    # Once a round: 3 due, then 2, then none, and the batch worker stops.
    assert [2, 1, 0] == calls


@pytest.mark.django_db(transaction=True)
def test_a_failing_sweep_is_logged_and_the_worker_goes_on(sweeps, caplog):
    RAN.clear()

    def broken() -> int:
        raise ValueError("a fault")

    sweeps.sweep_register(broken)
    remember.enqueue(value=9)

    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert [9] == RAN
    assert "Sweep test_a_failing_sweep_is_logged_and_the_worker_goes_on.<locals>.broken " \
           "failed." in caplog.text


# The worker subclasses django-tasks-db's and calls its claim, locking and
# recording methods: a new version must be read before it is taken.
PINS = {"django-tasks": "0.12.0", "django-tasks-db": "0.13.0"}


def test_the_task_packages_are_pinned_to_the_versions_recorded():
    import re
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    locks = {lock.name: lock.read_text() for lock in (root / "requirements").glob("*.lock")}

    for package, pinned in PINS.items():
        assert f"{package}=={pinned}" in declared
        for name, lock in locks.items():
            assert re.search(rf"^{re.escape(package)}=={re.escape(pinned)}$", lock, re.M), name
        assert pinned == version(package)
