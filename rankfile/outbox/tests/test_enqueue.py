from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from rankfile.core.errors import Refusal
from rankfile.core.tests.jobs import run_jobs
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.services import outbox_enqueue


def queue(**changes: Any) -> OutboxMessage:
    fields = {"to": "ada@example.org", "subject": "Rank & File: hello", "body": "Hello Ada",
              "purpose": "greeting", "key": "greeting:ada"}
    return outbox_enqueue(**{**fields, **changes})


def test_it_queues_the_message_with_its_message_id_and_a_job_carrying_only_its_id(db):
    message = queue()

    assert OutboxMessage.Status.QUEUED == message.status
    assert message.message_id.startswith("<") and message.message_id.endswith("@127.0.0.1>")
    job = DBTaskResult.objects.get()
    assert {"args": [], "kwargs": {"ids": [message.pk]}} == job.args_kwargs
    assert "rankfile.outbox.tasks.deliver" == job.task_path


def test_it_gives_back_the_message_already_queued_under_a_key(db):
    first = queue()

    again = queue(body="Hello again")

    assert first.pk == again.pk
    assert "Hello Ada" == OutboxMessage.objects.get().body
    assert 1 == DBTaskResult.objects.count()
    run_jobs()
    assert 1 == len(mail.outbox)


def test_it_queues_nothing_when_the_change_is_rolled_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the change failed")

    assert 0 == OutboxMessage.objects.count()
    assert 0 == DBTaskResult.objects.count()


@pytest.mark.parametrize(("changes", "code"), [
    ({"to": "not an address"}, "bad_address"),
    ({"to": "a@example.org, b@example.org"}, "bad_address"),
    ({"subject": "one\nBcc: victim@example.org"}, "bad_subject"),
    ({"subject": "  "}, "bad_subject"),
    ({"headers": {"Bcc": "victim@example.org"}}, "bad_header"),
    ({"headers": {"X-Note": "one\r\nBcc: victim@example.org"}}, "bad_header"),
    ({"headers": {"X Bad Name": "x"}}, "bad_header"),
    ({"body": "nul \x00 byte"}, "bad_body"),
    ({"key": ""}, "bad_key"),
    ({"purpose": "p" * 65}, "bad_key"),
])
def test_it_refuses_what_it_cannot_send_and_writes_nothing(db, changes, code):
    with pytest.raises(Refusal) as refused:
        queue(**changes)

    assert code == refused.value.code
    assert 0 == OutboxMessage.objects.count()
    assert 0 == DBTaskResult.objects.count()


def test_it_passes_headers_and_the_html_body_through(db):
    message = queue(headers={"List-Unsubscribe": "<https://example.org/u/1>"},
                    html_body="<p>Hello Ada</p>")

    run_jobs()

    sent = mail.outbox[0].message()
    parts = [p for p in sent.get_payload() if not isinstance(p, str)]
    assert "<https://example.org/u/1>" == sent["List-Unsubscribe"]
    assert message.message_id == sent["Message-ID"]
    assert ["text/plain", "text/html"] == [p.get_content_type() for p in parts]
    assert ["ada@example.org"] == mail.outbox[0].to
