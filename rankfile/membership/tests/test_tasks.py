import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.core.actors import SYSTEM
from rankfile.membership.models import Membership, Payment, RepeatApplication
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.payments import membership_expire_unpaid
from rankfile.membership.tasks import (
    confirmations_queue,
    expire_unpaid,
    known_address_notices_queue,
)
from rankfile.membership.tests.join_helpers import joiner, make_offers
from rankfile.outbox.models import OutboxMessage

S = Membership.Status


@pytest.fixture
def applied(area):
    make_offers()
    return membership_apply(data=joiner()).membership


def test_it_expires_unpaid_applications_and_cancels_their_payments(applied):
    later = applied.expires_at + dt.timedelta(seconds=1)

    assert 1 == membership_expire_unpaid(now=later, by=SYSTEM)

    applied.refresh_from_db()
    assert (S.EXPIRED, [Payment.Status.CANCELLED]) == (
        applied.status, [p.status for p in applied.payments.all()])
    assert "Not paid within 336 hours of applying" == applied.history.last().reason


def test_it_leaves_applications_that_still_have_time(applied):
    assert 0 == membership_expire_unpaid(now=applied.expires_at - dt.timedelta(seconds=1),
                                         by=SYSTEM)

    applied.refresh_from_db()
    assert S.APPLIED == applied.status


def test_it_expires_from_the_command_and_the_task(applied):
    Membership.objects.filter(pk=applied.pk).update(
        expires_at=timezone.now() - dt.timedelta(hours=1))

    call_command("expire_unpaid")
    applied.refresh_from_db()

    assert S.EXPIRED == applied.status
    assert 0 == expire_unpaid.call()


@pytest.mark.django_db(transaction=True)
def test_it_queues_the_email_only_when_the_sign_up_commits(area):
    make_offers()

    with pytest.raises(RuntimeError), transaction.atomic():
        membership_apply(data=joiner())
        raise RuntimeError("crash before commit")
    assert (0, 0) == (Membership.objects.count(), confirmations_queue())

    membership_apply(data=joiner())
    assert (1, 0) == (Membership.objects.count(), DBTaskResult.objects.count())
    assert 1 == confirmations_queue()
    assert ["join_confirmation"] == [m.purpose for m in OutboxMessage.objects.all()]


def test_the_sweep_queues_each_confirmation_once_and_clears_it(area):
    make_offers()
    joined = [membership_apply(data=joiner(email=f"j{i}@example.org")).membership
              for i in range(3)]

    assert (2, 1, 0) == (confirmations_queue(limit=2), confirmations_queue(limit=2),
                         confirmations_queue(limit=2))

    assert sorted(f"join_confirmation:{m.reference}" for m in joined) == sorted(
        OutboxMessage.objects.values_list("key", flat=True))
    assert not Membership.objects.filter(confirmation_due=True).exists()
    # Each with its own link and payment details.
    message = OutboxMessage.objects.get(key=f"join_confirmation:{joined[0].reference}")
    assert ("j0@example.org", True) == (message.to, joined[0].payments.get().reference
                                        in message.body)


def test_a_sweep_cut_short_leaves_the_email_due_and_the_next_queues_it_once(
        applied, monkeypatch):
    from django.db.models import QuerySet

    real_update = QuerySet.update

    def killed(self, **kwargs):
        if "confirmation_due" in kwargs:
            raise SystemExit("killed")  # as if the worker died before its COMMIT
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", killed)
    with pytest.raises(SystemExit):
        confirmations_queue()
    assert (0, True) == (OutboxMessage.objects.count(),
                         Membership.objects.get(pk=applied.pk).confirmation_due)

    monkeypatch.setattr(QuerySet, "update", real_update)
    assert (1, 0) == (confirmations_queue(), confirmations_queue())
    assert 1 == OutboxMessage.objects.count()


def test_a_row_whose_email_cannot_be_drafted_does_not_hold_up_the_others(
        area, monkeypatch, caplog):
    from rankfile.membership import tasks

    make_offers()
    broken = membership_apply(data=joiner(email="broken@example.org")).membership
    fine = membership_apply(data=joiner(email="fine@example.org")).membership
    real = tasks._confirmation_draft

    def draft(membership, payment):
        if membership.pk == broken.pk:
            raise ValueError("a template fault")
        return real(membership, payment)

    monkeypatch.setattr(tasks, "_confirmation_draft", draft)

    assert 2 == confirmations_queue()

    assert [f"join_confirmation:{fine.reference}"] == list(
        OutboxMessage.objects.values_list("key", flat=True))
    assert f"Membership pk={broken.pk}: its e-mail could not be drafted" in caplog.text
    assert 0 == confirmations_queue()  # not tried for ever


def test_an_address_the_outbox_refuses_does_not_hold_up_the_others(area, caplog):
    make_offers()
    refused = membership_apply(data=joiner(email="refused@example.org")).membership
    fine = membership_apply(data=joiner(email="fine@example.org")).membership
    refused.user.__class__.objects.filter(pk=refused.user_id).update(email="not an address")

    assert 2 == confirmations_queue()

    assert [f"join_confirmation:{fine.reference}"] == list(
        OutboxMessage.objects.values_list("key", flat=True))
    assert f"join_confirmation:{refused.reference}: refused by the outbox" in caplog.text


def test_known_address_notices_go_once_per_address_and_hour(area, outsider):
    make_offers()
    for _ in range(2):
        membership_apply(data=joiner(email=outsider.email))

    assert 2 == known_address_notices_queue()

    message = OutboxMessage.objects.get()
    assert (outsider.email, "join_known_address") == (message.to, message.purpose)
    assert not RepeatApplication.objects.filter(notice_due=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sweeps(area):
    from django.core import mail

    make_offers()
    membership_apply(data=joiner())

    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert ["ada@example.org"] == [m.to[0] for m in mail.outbox]
    assert mail.outbox[0].subject.endswith("confirm your e-mail address")


@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_take_different_rows(area):
    """On PostgreSQL a batch's rows stay locked until it commits: a second worker
    takes the next ones. (SQLite has one writer at a time.)"""
    import threading

    from django.db import connection, connections

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite: one writer at a time")
    make_offers()
    first = membership_apply(data=joiner(email="first@example.org")).membership
    membership_apply(data=joiner(email="second@example.org"))
    locked, release = threading.Event(), threading.Event()

    def hold_first() -> None:
        try:
            with transaction.atomic():
                list(Membership.objects.select_for_update().filter(pk=first.pk))
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_first)
    holder.start()
    try:
        assert locked.wait(30)
        assert 1 == confirmations_queue()
    finally:
        release.set()
        holder.join()

    assert ["second@example.org"] == list(OutboxMessage.objects.values_list("to", flat=True))
    assert 1 == confirmations_queue()


def test_a_confirmation_job_run_twice_queues_one_email(applied):
    from django.core import mail

    from rankfile.core.tests.jobs import run_jobs
    from rankfile.membership.tasks import send_confirmation
    from rankfile.outbox.models import OutboxMessage

    send_confirmation.call(reference=applied.reference)
    send_confirmation.call(reference=applied.reference)
    run_jobs()

    message = OutboxMessage.objects.get()
    assert (f"join_confirmation:{applied.reference}", "join_confirmation") == (
        message.key, message.purpose)
    assert [message.message_id] == [m.extra_headers["Message-ID"] for m in mail.outbox]


def test_known_address_jobs_queued_by_earlier_versions_still_send_the_notice(area, outsider):
    from rankfile.core.tests.jobs import run_jobs
    from rankfile.membership.tasks import send_known_address_notice

    make_offers()
    membership_apply(data=joiner(email=outsider.email))
    repeat = RepeatApplication.objects.get()
    RepeatApplication.objects.update(notice_due=False)  # as a row of those versions
    send_known_address_notice.enqueue(reference=repeat.reference)
    send_known_address_notice.enqueue(email=outsider.email, category="registered_supporter")

    run_jobs()

    assert 2 == OutboxMessage.objects.filter(to=outsider.email,
                                             purpose="join_known_address").count()
