"""Bounce reports as mail servers write them, for the tests of ``outbox_read_bounces``.

Each returns the report's bytes, as they would sit in the bounce mailbox; the
original is the message as it went on the wire (``EmailMessage.message()``),
or headers written here for a message that is not ours.
"""

from __future__ import annotations

from email.message import Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

SENDER = "membership@rankfile.invalid"
DATE = "Wed, 18 Nov 2026 10:20:00 +0000"  # five minutes after the tests' clock


def _fields(**fields: str) -> Message:
    block = Message()
    for name, value in fields.items():
        block[name.replace("_", "-")] = value
    return block


def _report(*, sender: str, subject: str, own_id: str, explanation: str,
            per_message: Message, recipient: Message, original: Message) -> bytes:
    report = MIMEMultipart("report", report_type="delivery-status",
                           boundary=f"{own_id}/boundary")
    report["From"] = sender
    report["To"] = SENDER
    report["Subject"] = subject
    report["Date"] = DATE
    report["Message-ID"] = f"<{own_id}>"
    report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText(explanation, "plain", "us-ascii"))
    status = Message()
    status["Content-Type"] = "message/delivery-status"
    status.set_payload([per_message, recipient])
    report.attach(status)
    report.attach(original)
    return report.as_bytes()


def headers_of(message: Message) -> MIMEText:
    """The original's headers only, as Postfix returns them (``text/rfc822-headers``)."""
    text = "".join(f"{name}: {value}\n" for name, value in message.items())
    return MIMEText(text, "rfc822-headers", "us-ascii")


def postfix(original: Message, *, to: str = "ann@example.org", action: str = "failed",
            status: str = "5.1.1",
            diagnostic: str = "smtp; 550 5.1.1 <ann@example.org>: Recipient address "
                              "rejected: User unknown in local recipient table",
            subject: str = "Undelivered Mail Returned to Sender",
            own_id: str = "20261118102000.4B2C11A0@mx.example.org") -> bytes:
    """Postfix's report: the original's headers only, as ``text/rfc822-headers``."""
    recipient = _fields(Final_Recipient=f"rfc822; {to}", Original_Recipient=f"rfc822;{to}",
                        Action=action, Status=status,
                        Remote_MTA="dns; mail.example.org", Diagnostic_Code=diagnostic)
    if action == "delayed":
        recipient["Will-Retry-Until"] = "Wed, 23 Nov 2026 10:15:00 +0000"
    return _report(
        sender="MAILER-DAEMON@mx.example.org (Mail Delivery System)", subject=subject,
        own_id=own_id,
        explanation="This is the mail system at host mx.example.org.\n\nI'm sorry to have "
                    "to inform you that your message could not\nbe delivered to one or more "
                    "recipients.\n",
        per_message=_fields(Reporting_MTA="dns; mx.example.org",
                            X_Postfix_Queue_ID="4B2C11A0",
                            Arrival_Date=DATE),
        recipient=recipient, original=headers_of(original))


def exim(original: Message, *, to: str = "ann@example.org") -> bytes:
    """Exim's report: the whole original returned, as ``message/rfc822``."""
    return _report(
        sender="Mail Delivery System <Mailer-Daemon@mail.example.com>",
        subject="Mail delivery failed: returning message to sender",
        own_id="E1tQ9Zx-0003Ab-7K@mail.example.com",
        explanation="This message was created automatically by mail delivery software.\n\n"
                    "A message that you sent could not be delivered to one or more of its\n"
                    f"recipients. This is a permanent error. The following address(es) "
                    f"failed:\n\n  {to}\n    No such user here\n",
        per_message=_fields(Reporting_MTA="dns; mail.example.com"),
        recipient=_fields(Action="failed", Final_Recipient=f"rfc822;{to}",
                          Status="5.0.0", Remote_MTA="dns; mx.example.com",
                          Diagnostic_Code=f"smtp; 550 No such user here: {to}"),
        original=MIMEMessage(original))


def not_ours(message_id: str = "<0123456789abcdef@elsewhere.example>") -> Message:
    """The headers of a message some other sender's software sent."""
    return _fields(From="someone@elsewhere.example", To="ann@example.org",
                   Subject="Hello", Message_ID=message_id)


def auto_reply() -> bytes:
    reply = MIMEText("I am away until Monday and will read your message then.\n")
    reply["From"] = "ann@example.org"
    reply["To"] = SENDER
    reply["Subject"] = "Automatic reply: Rank & File: Your voting code"
    reply["Date"] = DATE
    reply["Message-ID"] = "<away.1@example.org>"
    reply["Auto-Submitted"] = "auto-replied"
    return reply.as_bytes()
