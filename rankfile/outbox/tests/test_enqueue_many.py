from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from rankfile.core.errors import Refusal
from rankfile.core.tests.jobs import run_jobs
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.services import Draft, outbox_enqueue, outbox_enqueue_many


def drafts(n: int, start: int = 0) -> Iterator[Draft]:
    for i in range(start, start + n):
        yield Draft(to=f"voter{i}@example.org", subject="Your ballot", body=f"Code {i}",
                    purpose="ballot", key=f"ballot:{i}",
                    headers={"List-Unsubscribe": f"<https://example.org/u/{i}>"})


def test_it_queues_each_key_once_in_jobs_of_a_batch_each(db, settings):
    settings.OUTBOX_BATCH = 2
    outbox_enqueue(to="voter0@example.org", subject="Your ballot", body="Code 0",
                   purpose="ballot", key="ballot:0")
    DBTaskResult.objects.all().delete()

    queued = outbox_enqueue_many([*drafts(5), *drafts(2, start=3)])

    assert 4 == queued
    assert 5 == OutboxMessage.objects.count()
    sizes = sorted(len(j.args_kwargs["kwargs"]["ids"]) for j in DBTaskResult.objects.all())
    assert [2, 2] == sizes
    run_jobs()
    assert sorted(f"voter{i}@example.org" for i in range(1, 5)) == sorted(
        m.to[0] for m in mail.outbox)


def test_it_queues_nothing_when_the_mailing_is_rolled_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue_many(drafts(1500))
        raise RuntimeError("the ballot was not issued")

    assert 0 == OutboxMessage.objects.count()
    assert 0 == DBTaskResult.objects.count()


def test_a_mailing_queued_again_adds_only_what_is_missing(db):
    assert 1500 == outbox_enqueue_many(drafts(1500))

    assert 10 == outbox_enqueue_many(drafts(1510))
    assert 1510 == OutboxMessage.objects.count()
    assert 1510 == len({m for m in OutboxMessage.objects.values_list("message_id", flat=True)})


def test_it_refuses_a_bad_draft(db):
    bad = Draft(to="nobody", subject="x", body="x", purpose="ballot", key="ballot:x")

    with pytest.raises(Refusal):
        outbox_enqueue_many([*drafts(3), bad])

    assert 0 == OutboxMessage.objects.count()
