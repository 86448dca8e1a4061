import re

import pytest
from django.core import mail
from django.urls import reverse

from rankfile.core.errors import Refusal
from rankfile.discussion.models import ApprovedCommenter, Comment, ModerationLog
from rankfile.discussion.services.comments import comment_post
from rankfile.discussion.services.moderation import (
    commenter_erase_email,
    email_from_erase_token,
    erase_token,
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def comments(article):
    comment_post(article=article, text="One", name="Val", email="val@example.org")
    comment_post(article=article, text="Two", name="Val", email="VAL@example.org")
    comment_post(article=article, text="Other", name="Ann", email="ann@example.org")


def test_it_erases_an_email_from_every_comment_and_the_approval(comments, staff):
    from django.utils import timezone
    ApprovedCommenter.objects.create(email="val@example.org", approved_at=timezone.now())

    assert 2 == commenter_erase_email(email="Val@Example.org", by=staff)

    assert ["", "", "ann@example.org"] == list(
        Comment.objects.order_by("number").values_list("email", flat=True))
    assert 0 == ApprovedCommenter.objects.count()
    log = ModerationLog.objects.get(action="erase_email")
    assert "val@" not in log.reason and staff == log.actor


def test_it_never_shows_the_email(comments, client, article):
    assert "val@example.org" not in client.get(article.get_absolute_url()).content.decode()


def test_it_mails_a_signed_link_that_erases_on_confirmation(comments, client):
    response = client.post(reverse("discussion:erase_request"), {"email": "val@example.org"})

    assert 302 == response.status_code
    assert ["val@example.org"] == mail.outbox[0].to
    found = re.search(r"https?://[^/]+(/articles/forget-my-email/[^/\s]+/)", str(mail.outbox[0].body))
    assert found is not None
    path = found[1]
    assert "val@example.org" in client.get(path).content.decode()
    client.post(path)
    assert 0 == Comment.objects.filter(email="val@example.org").count()


def test_it_answers_the_same_for_an_unknown_address_and_sends_nothing(comments, client):
    response = client.post(reverse("discussion:erase_request"), {"email": "nobody@example.org"})

    assert 302 == response.status_code
    assert [] == mail.outbox


def test_it_does_the_same_work_for_a_known_and_an_unknown_address(comments, client, settings):
    import re as regex

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rankfile.core.tests.jobs import run_jobs

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def ask(email: str) -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("discussion:erase_request"), {"email": email})
        return response.status_code, [
            regex.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", q["sql"]) for q in queries]

    assert ask("val@example.org") == ask("nobody@example.org")
    assert [] == mail.outbox
    run_jobs()
    assert [["val@example.org"]] == [m.to for m in mail.outbox]


def test_it_refuses_a_tampered_link(client):
    token = erase_token("val@example.org")[:-2] + "xx"

    with pytest.raises(Refusal):
        email_from_erase_token(token)
    assert 400 == client.get(reverse("discussion:erase_confirm", args=[token])).status_code


def test_it_asks_for_the_address_when_missing(client):
    response = client.post(reverse("discussion:erase_request"), {"email": ""})

    assert 400 == response.status_code
    assert "Please enter your e-mail address." in response.content.decode()
