import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.core.actors import SYSTEM
from rankfile.membership.models import Membership, Payment
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.payments import membership_expire_unpaid
from rankfile.membership.tasks import expire_unpaid
from rankfile.membership.tests.join_helpers import joiner, make_offers

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
    assert (0, 0) == (Membership.objects.count(), DBTaskResult.objects.count())

    membership_apply(data=joiner())
    assert (1, 1) == (Membership.objects.count(), DBTaskResult.objects.count())
    assert DBTaskResult.objects.get().task_path.endswith("send_confirmation")


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
