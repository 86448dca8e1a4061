"""Reading bounce reports: a permanent failure marks the message bounced with the server's
reason on one plain line; delays, auto-replies and strangers' Message-IDs record
nothing; a malformed report is a problem line, never an error; reading twice changes
nothing."""

from __future__ import annotations

import email
import unicodedata
from email import policy
from email.message import Message

import pytest

from rankfile.core.text import bidi_control_in
from rankfile.outbox.bounces import BounceReport, outbox_read_bounces
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.tests import dsn

S = OutboxMessage.Status
POSTFIX_REASON = ("5.1.1 550 5.1.1 <ann@example.org>: Recipient address rejected: User "
                  "unknown in local recipient table")


def parsed(*raw: bytes) -> list[Message]:
    """As a mailbox gives them: parsed with the standard library's default (compat32)."""
    return [email.message_from_bytes(r) for r in raw]


def status_and_error(address: str) -> tuple[str, str]:
    message = OutboxMessage.objects.get(to=address)
    return message.status, message.error


def test_it_records_a_postfix_bounce_from_the_returned_headers(originals):
    report = outbox_read_bounces(parsed(dsn.postfix(originals["ann@example.org"])))

    assert BounceReport(bounced=1) == report
    assert (S.BOUNCED, POSTFIX_REASON) == status_and_error("ann@example.org")
    assert (S.SENT, "") == status_and_error("bob@example.org")


def test_it_records_an_exim_bounce_from_the_returned_message(originals):
    report = outbox_read_bounces(parsed(dsn.exim(originals["bob@example.org"],
                                                 to="bob@example.org")))

    assert BounceReport(bounced=1) == report
    assert (S.BOUNCED, "5.0.0 550 No such user here: bob@example.org") == status_and_error(
        "bob@example.org")
    assert S.SENT == OutboxMessage.objects.get(to="ann@example.org").status


def test_a_report_with_only_an_original_message_id_header_is_recorded(originals):
    report = email.message_from_bytes(dsn.postfix(originals["ann@example.org"]))
    parts = report.get_payload()
    assert isinstance(parts, list)
    del parts[2]  # no original returned: a header names it
    report["X-Original-Message-ID"] = originals["ann@example.org"]["Message-ID"]

    assert BounceReport(bounced=1) == outbox_read_bounces([report])
    assert S.BOUNCED == OutboxMessage.objects.get(to="ann@example.org").status


def test_a_delay_is_counted_and_records_nothing(originals):
    delayed = dsn.postfix(originals["ann@example.org"], action="delayed", status="4.4.7",
                          diagnostic="smtp; 451 4.4.7 Try again later",
                          subject="Delayed Mail (still being retried)")

    assert BounceReport(delayed=1) == outbox_read_bounces(parsed(delayed))
    assert (S.SENT, "") == status_and_error("ann@example.org")


def test_a_server_giving_up_after_delays_is_a_bounce(originals):
    """Postfix says "failed" with the last 4.x.x status when a message expires unsent."""
    expired = dsn.postfix(originals["ann@example.org"], status="4.4.1",
                          diagnostic="X-Postfix; connect to mail.example.org: Connection "
                                     "timed out")

    assert BounceReport(bounced=1) == outbox_read_bounces(parsed(expired))
    assert (S.BOUNCED, "4.4.1 connect to mail.example.org: Connection timed out") == \
        status_and_error("ann@example.org")


def test_an_auto_reply_is_skipped(originals):
    assert BounceReport(not_reports=1) == outbox_read_bounces(parsed(dsn.auto_reply()))
    assert {S.SENT} == set(OutboxMessage.objects.values_list("status", flat=True))


def test_a_bounce_of_a_message_not_sent_from_here_is_counted_as_unknown(originals):
    report = outbox_read_bounces(parsed(dsn.postfix(dsn.not_ours())))

    assert BounceReport(unknown=1) == report
    assert {S.SENT} == set(OutboxMessage.objects.values_list("status", flat=True))


def test_reading_the_same_reports_again_records_nothing_more(originals):
    mailbox = [dsn.postfix(originals["ann@example.org"]),
               dsn.exim(originals["bob@example.org"], to="bob@example.org"),
               dsn.auto_reply()]
    first = outbox_read_bounces(parsed(*mailbox))
    # A later report of the same message, in other words: the first reason stands.
    later = dsn.postfix(originals["ann@example.org"], diagnostic="smtp; 550 Mailbox gone",
                        own_id="20261119.77@mx.example.org")

    again = outbox_read_bounces(parsed(*mailbox, later))

    assert BounceReport(bounced=2, not_reports=1) == first
    assert BounceReport(already=3, not_reports=1) == again
    assert (S.BOUNCED, POSTFIX_REASON) == status_and_error("ann@example.org")


@pytest.mark.parametrize("parse_policy", [policy.compat32, policy.default])
def test_the_reason_is_one_plain_line_whatever_the_server_wrote(originals, parse_policy):
    """Raw control characters, and a right-to-left override in an encoded word (which
    the default policy decodes), never reach the stored reason."""
    raw = dsn.postfix(originals["ann@example.org"],
                      diagnostic="smtp; 550 5.1.1 =?utf-8?q?=E2=80=AEresu_on?= PLACEHOLDER")
    raw = raw.replace(b"PLACEHOLDER", b"\x1b[2J\x07gone\x00away\r\n\tfor good")

    report = outbox_read_bounces([email.message_from_bytes(raw, policy=parse_policy)])

    status, error = status_and_error("ann@example.org")
    assert (BounceReport(bounced=1), S.BOUNCED) == (report, status)
    assert error.startswith("5.1.1 550 5.1.1 ") and error.endswith("gone away for good")
    assert bidi_control_in(error) is None
    assert not any(unicodedata.category(c) == "Cc" for c in error)


NO_BOUNDARY = (b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered Mail\r\n"
               b"Message-ID: <broken.1@mx.example.org>\r\n"
               b"Content-Type: multipart/report; report-type=delivery-status\r\n\r\n"
               b"This is the mail system.\r\n")
NO_STATUS = (b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered Mail\r\n"
             b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n"
             b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n--b--\r\n")
NO_RECIPIENT = (b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered Mail\r\n"
                b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n"
                b"\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"
                b"Reporting-MTA: dns; mx.example.org\r\n--b--\r\n")


def without_message_id(original: Message) -> bytes:
    del original["Message-ID"]
    return dsn.postfix(original)


@pytest.mark.parametrize("make,complaint", [
    (lambda o: NO_BOUNDARY, "message 1 <broken.1@mx.example.org> (Undelivered Mail): a "
                            "delivery report whose parts cannot be read"),
    (lambda o: NO_STATUS, "message 1 (Undelivered Mail): a delivery report without its "
                          "delivery-status part"),
    (lambda o: NO_RECIPIENT, "message 1 (Undelivered Mail): a delivery report naming no "
                             "recipient"),
    (without_message_id, "message 1 <20261118102000.4B2C11A0@mx.example.org> (Undelivered "
                         "Mail Returned to Sender): a bounce that does not give the "
                         "original's Message-ID"),
])
def test_a_malformed_report_is_a_problem_line_and_the_next_is_still_read(originals, make,
                                                                         complaint):
    broken = make(originals["bob@example.org"])

    report = outbox_read_bounces(parsed(broken, dsn.postfix(originals["ann@example.org"])))

    assert BounceReport(bounced=1, problems=(complaint,)) \
        == report
    assert S.BOUNCED == OutboxMessage.objects.get(to="ann@example.org").status


def test_bytes_that_are_not_mail_are_not_a_report(originals):
    assert BounceReport(not_reports=1) == outbox_read_bounces(
        parsed(b"\x00\xff\xfe\x1b not mail at all"))


def test_a_message_that_cannot_be_parsed_at_all_is_a_problem_line(originals):
    class Unreadable(Message):
        def get_content_type(self) -> str:
            raise ValueError("broken")

    report = outbox_read_bounces([Unreadable()])

    assert ("message 1: could not be parsed (ValueError)",) == report.problems
