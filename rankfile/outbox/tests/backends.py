"""Mail backends for the outbox's tests: a server that refuses, and one that dies mid-batch."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    """Accepts mail into ``received``, except as told by the recipient's address.

    ``refused@…`` is refused for good (550); ``busy@…`` for now (451);
    ``gone@…`` loses the connection. When
    ``die_after`` messages have been accepted, the next message is accepted
    and then the process "dies" (SystemExit) before the sender hears of it.
    ``down`` makes opening the connection fail.
    """

    received: ClassVar[list[EmailMessage]] = []
    opened: ClassVar[int] = 0
    die_after: ClassVar[int | None] = None
    down: ClassVar[bool] = False

    @classmethod
    def reset(cls) -> None:
        cls.received, cls.opened, cls.die_after, cls.down = [], 0, None, False

    def open(self) -> bool:
        if type(self).down:
            raise ConnectionRefusedError("connection refused")
        type(self).opened += 1
        return True

    def close(self) -> None:
        pass

    def send_messages(self, email_messages: Sequence[EmailMessage], **kwargs: Any) -> int:
        for message in email_messages:
            to = message.to[0]
            if to.startswith("refused@"):
                raise smtplib.SMTPRecipientsRefused({to: (550, b"no such mailbox")})
            if to.startswith("gone@"):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if to.startswith("busy@"):
                raise smtplib.SMTPRecipientsRefused({to: (451, b"try again later")})
            message.message()  # rendered as it would be on the wire
            type(self).received.append(message)
            cls = type(self)
            if cls.die_after is not None and len(cls.received) > cls.die_after:
                raise SystemExit("killed")
        return len(email_messages)
