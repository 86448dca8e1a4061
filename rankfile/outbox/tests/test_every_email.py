"""Every e-mail the code sends goes through the outbox."""

import ast
from pathlib import Path

from allauth.account.adapter import get_adapter
from allauth.core import context
from django.core import mail

from rankfile.core.tests.jobs import run_jobs
from rankfile.outbox.models import OutboxMessage

PACKAGE = Path(__file__).resolve().parents[2]
# Django's ways of sending mail, which only the outbox may call.
SENDERS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage",
           "EmailMultiAlternatives", "get_connection", "send_messages"}


def direct_senders(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if {"tests", "migrations", "outbox"} & set(relative.parts[:-1]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = (node.attr if isinstance(node, ast.Attribute)
                    else node.id if isinstance(node, ast.Name) else None)
            if name in SENDERS:
                found.append(f"{relative}:{getattr(node, 'lineno', 0)} uses {name}")
    return found


def test_nothing_outside_the_outbox_sends_mail_itself():
    assert [] == direct_senders(PACKAGE)


def test_the_scan_would_see_a_direct_send(tmp_path):
    app = tmp_path / "someapp"
    app.mkdir()
    (app / "tasks.py").write_text("from django.core import mail\nmail.send_mail('s', 'b', None, ['a@b.c'])\n")

    assert ["someapp/tasks.py:2 uses send_mail"] == direct_senders(tmp_path)


def test_allauths_mail_is_queued_in_the_outbox(rf, db):
    with context.request_context(rf.get("/")):
        get_adapter().send_mail("account/email/unknown_account", "ann@example.org",
                                {"signup_url": "http://testserver/join/"})
    assert [] == mail.outbox

    run_jobs()

    message = OutboxMessage.objects.get()
    assert ("account_unknown_account", OutboxMessage.Status.SENT) == (message.purpose,
                                                                      message.status)
    assert [message.message_id] == [m.extra_headers["Message-ID"] for m in mail.outbox]
