"""The Django side of the fault benchmark, run by ``faults.py`` in a subprocess.

Usage: python state.py setup | check PREFIX ACKS_FILE
(with DATABASE_URL and the other settings in the environment). Each command
prints one JSON object on its last line.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django_tasks_db.compat import TaskResultStatus  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from rankfile.membership.models import Membership  # noqa: E402
from rankfile.outbox.models import OutboxMessage  # noqa: E402


def setup() -> dict:
    """The joining offers, as the sign-up surge benchmark makes them."""
    spec = importlib.util.spec_from_file_location(
        "surge_data", ROOT / "bench" / "signup_surge" / "data.py")
    assert spec is not None and spec.loader is not None
    surge_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(surge_data)
    return surge_data.offers()


def check(prefix: str, acks_file: str) -> dict:
    """Compare the acknowledged joins with what is stored, and list the mail each got.

    ``acks_file`` holds one line per success answer: the Idempotency-Key, a
    tab, the reference answered. Mail is counted per stored application by
    the Message-IDs the outbox gave its address, whatever the templates.
    """
    acks: dict[str, set[str]] = {}
    for line in Path(acks_file).read_text().splitlines():
        key, reference = line.split("\t")
        acks.setdefault(key, set()).add(reference)
    stored = dict(Membership.objects.filter(idempotency_key__startswith=prefix)
                  .values_list("reference", "user__email"))
    acknowledged = {ref for refs in acks.values() for ref in refs}
    per_key = (Membership.objects.filter(idempotency_key__startswith=prefix)
               .values("idempotency_key").annotate(n=Count("pk")).filter(n__gt=1).count())
    mail: dict[str, list[str]] = {email: [] for email in stored.values()}
    for to, message_id in OutboxMessage.objects.filter(to__in=list(mail)).values_list(
            "to", "message_id"):
        mail[to].append(message_id)
    return {
        "acknowledged": len(acks),
        "answered_two_references": sum(1 for refs in acks.values() if len(refs) > 1),
        "stored": len(stored),
        "lost": len(acknowledged - set(stored)),
        "stored_unacknowledged": len(set(stored) - acknowledged),
        "keys_stored_twice": per_key,
        "addresses_stored_twice": len(stored) - len(set(stored.values())),
        "applications_without_mail": sum(1 for ids in mail.values() if not ids),
        "message_ids": sorted(m for ids in mail.values() for m in ids),
        "outbox_failed": OutboxMessage.objects.filter(
            to__in=list(mail), status=OutboxMessage.Status.FAILED).count(),
        "jobs_failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    commands: dict[str, Callable[..., dict]] = {"setup": setup, "check": check}
    result = commands[command](*args)
    print(json.dumps(result))
