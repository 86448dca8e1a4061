"""The password reset answers alike for every address and mails only an account's owner."""

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rankfile.core.tests.jobs import run_jobs
from rankfile.demo.personas import make_user
from rankfile.outbox.models import OutboxMessage


@pytest.fixture
def alice(db):
    return make_user("alice@example.org")


def ask(client: Client, email: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/password/reset/", {"email": email}, follow=True)
    # The statements, without their values and savepoint names.
    return response, [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", q["sql"])
                      for q in queries]


def test_it_answers_a_known_and_an_unknown_address_alike(client, alice):
    known, known_queries = ask(client, "alice@example.org")
    unknown, unknown_queries = ask(client, "nobody@example.org")

    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code
    assert known.content == unknown.content
    assert known_queries == unknown_queries  # the same work, so the same time
    assert 2 == DBTaskResult.objects.count()
    assert 0 == len(mail.outbox)


def test_only_the_known_address_gets_mail(client, alice):
    ask(client, "alice@example.org")
    ask(client, "nobody@example.org")

    run_jobs()

    assert [["alice@example.org"]] == [m.to for m in mail.outbox]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert ["account_password_reset_key"] == list(
        OutboxMessage.objects.values_list("purpose", flat=True))


def test_the_link_points_at_the_site_whatever_host_was_asked(client, alice, settings):
    settings.SITE_URL = "https://members.example.org"
    settings.ALLOWED_HOSTS = ["members.example.org", "testserver"]

    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    run_jobs()

    assert "https://members.example.org/accounts/password/reset/key/" in mail.outbox[0].body
    assert "testserver" not in f"{mail.outbox[0].body} {mail.outbox[0].subject}"


def test_a_reset_job_run_again_mails_once(client, alice):
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    run_jobs()
    # As if its worker had died before recording the end: the job runs again.
    DBTaskResult.objects.filter(task_path__endswith="send_password_reset").update(
        status=TaskResultStatus.READY)

    run_jobs()

    assert 1 == OutboxMessage.objects.count()
    assert 1 == len(mail.outbox)
