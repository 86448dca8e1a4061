import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.core.tests.jobs import run_jobs
from rankfile.outbox import services
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.services import Draft, outbox_enqueue_many, outbox_send

S = OutboxMessage.Status


def mailing(*addresses: str) -> list[int]:
    outbox_enqueue_many(Draft(to=a, subject="Your ballot", body=f"Secret code for {a}",
                              purpose="ballot", key=f"ballot:{a}") for a in addresses)
    DBTaskResult.objects.all().delete()  # these tests call outbox_send themselves
    return list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))


def test_it_sends_over_one_connection_and_records_each_message_with_its_body_erased(
        db, server):
    ids = mailing("a@example.org", "b@example.org")

    assert 2 == outbox_send(ids=ids)

    assert 1 == server.opened
    expected = list(OutboxMessage.objects.order_by("pk").values_list("message_id", flat=True))
    assert expected == [m.extra_headers["Message-ID"] for m in server.received]
    assert "Secret code for a@example.org" == server.received[0].body
    for message in OutboxMessage.objects.all():
        assert (S.SENT, "", 1) == (message.status, message.body, message.attempts)
        assert message.sent_at is not None


def test_a_second_run_sends_nothing_again(db, server):
    ids = mailing("a@example.org", "b@example.org")
    outbox_send(ids=ids)

    assert 0 == outbox_send(ids=ids)

    assert 2 == len(server.received)


def test_after_a_kill_only_the_message_in_flight_goes_out_twice_with_the_same_id(db, server):
    ids = mailing("a@example.org", "b@example.org", "c@example.org")
    server.die_after = 1  # b is accepted, then the worker dies before recording it

    with pytest.raises(SystemExit):
        outbox_send(ids=ids)
    server.die_after = None
    outbox_send(ids=ids)

    ids_at_server = [m.extra_headers["Message-ID"] for m in server.received]
    a, b, c = OutboxMessage.objects.order_by("pk").values_list("message_id", flat=True)
    assert [a, b, b, c] == ids_at_server
    assert {S.SENT} == set(OutboxMessage.objects.values_list("status", flat=True))


def test_a_permanent_refusal_fails_that_message_and_the_rest_go(db, server):
    ids = mailing("a@example.org", "refused@example.org", "c@example.org")

    assert 2 == outbox_send(ids=ids)

    refused = OutboxMessage.objects.get(to="refused@example.org")
    assert S.FAILED == refused.status
    assert "550" in refused.error
    assert ["a@example.org", "c@example.org"] == [m.to[0] for m in server.received]


def test_a_refusal_for_now_is_tried_again_later_then_given_up(db, server, settings, _clock):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    ids = mailing("a@example.org", "busy@example.org", "c@example.org")

    assert 2 == outbox_send(ids=ids)

    busy = OutboxMessage.objects.get(to="busy@example.org")
    assert (S.QUEUED, 1) == (busy.status, busy.attempts)
    assert S.SENT == OutboxMessage.objects.get(to="c@example.org").status
    job = DBTaskResult.objects.get()
    assert [busy.pk] == job.args_kwargs["kwargs"]["ids"]
    assert job.run_after > timezone.now() + dt.timedelta(seconds=50)
    assert 0 == run_jobs()  # not yet

    _clock.shift(dt.timedelta(minutes=2))
    run_jobs()

    busy.refresh_from_db()
    assert (S.FAILED, 2) == (busy.status, busy.attempts)
    assert "451" in busy.error


def test_a_lost_connection_leaves_the_rest_of_the_batch_for_later(db, server):
    ids = mailing("a@example.org", "gone@example.org", "c@example.org")

    assert 1 == outbox_send(ids=ids)

    assert ["a@example.org"] == [m.to[0] for m in server.received]
    assert {"gone@example.org": 1, "c@example.org": 1} == dict(
        OutboxMessage.objects.filter(status=S.QUEUED).values_list("to", "attempts"))
    job = DBTaskResult.objects.get()
    assert 2 == len(job.args_kwargs["kwargs"]["ids"])


def test_a_server_that_cannot_be_reached_gets_the_batch_later(db, server):
    ids = mailing("a@example.org")
    server.down = True

    assert 0 == outbox_send(ids=ids)

    message = OutboxMessage.objects.get()
    assert (S.QUEUED, 1) == (message.status, message.attempts)
    assert "connection refused" in message.error
    assert 1 == DBTaskResult.objects.count()


def test_it_spaces_messages_to_the_configured_rate(db, server, settings, monkeypatch):
    settings.OUTBOX_RATE = 4
    ids = mailing(*(f"v{i}@example.org" for i in range(5)))
    slept: list[float] = []
    monkeypatch.setattr(services.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(services.time, "sleep", slept.append)

    outbox_send(ids=ids)

    assert [0.25, 0.5, 0.75, 1.0] == slept
