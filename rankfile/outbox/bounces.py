"""Reading bounce reports: the mail servers' delivery status notifications (RFC 3464).

A mail server that accepted a message and then could not deliver it sends a
report back to the envelope sender (``DEFAULT_FROM_EMAIL``):
``multipart/report; report-type=delivery-status``, with a human-readable part,
a ``message/delivery-status`` part (one block of fields per recipient:
``Action``, ``Status``, ``Diagnostic-Code``, ``Final-Recipient``) and the
original, whole (``message/rfc822``) or its headers only
(``text/rfc822-headers``). The original's Message-ID, fixed when the outbox
queued it, says which message bounced.

``outbox_read_bounces`` records the permanent failures (``outbox_record_bounce``)
and counts the rest; reading the same reports again records nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from typing import Literal

from django.db import transaction

from rankfile.core.actors import System
from rankfile.core.text import one_line
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.services import outbox_record_bounce

__all__ = ["BounceReport", "outbox_read_bounces"]

# Who recorded a bounce read from the mailbox, in what the apps log (an election's audit).
BOUNCE_MAILBOX = System("the bounce mailbox (rankfile read_bounces)")

S = OutboxMessage.Status

REASON_LENGTH = 300
# The original, whole or its headers; the message/global* types are RFC 6533's, for
# mail with non-ASCII addresses.
ORIGINAL_TYPES = frozenset({"message/rfc822", "message/global"})
ORIGINAL_HEADER_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})
STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
# Headers some servers add naming the original when they return none of it.
ORIGINAL_ID_HEADERS = ("Original-Message-ID", "X-Original-Message-ID")
# Printable ASCII but the brackets: nothing that could hide in a terminal or a page.
MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,198}>")
STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
DIAGNOSTIC_TYPE = re.compile(r"^\s*[A-Za-z0-9-]+\s*;\s*")  # "smtp; 550 ..."


@dataclass(frozen=True)
class BounceReport:
    """What reading a batch of messages did.

    ``bounced``: messages now recorded as bounced. ``already``: reports of messages
    already recorded as bounced (a report read twice). ``unknown``: reports of a
    Message-ID no message of ours has. ``delayed``: reports that a server is still
    trying (``Action: delayed``, status 4.x.x), which record nothing.
    ``not_reports``: messages that report no failure (auto-replies, spam, a
    delivery confirmation). ``problems``: one line per message that looks like a
    bounce but could not be read.
    """

    bounced: int = 0
    already: int = 0
    unknown: int = 0
    delayed: int = 0
    not_reports: int = 0
    problems: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        return (self.bounced + self.already + self.unknown + self.delayed + self.not_reports
                + len(self.problems))

    def lines(self) -> list[str]:
        """The report in plain words, one line each, for a person or a log."""
        found = [f"Read {_count(self.read, 'message')}.",
                 f"Bounced, now recorded: {self.bounced}.",
                 f"Bounced, already recorded: {self.already}.",
                 f"Bounced, not a message of ours (unknown Message-ID): {self.unknown}.",
                 f"Delayed, still being tried (nothing recorded): {self.delayed}.",
                 f"Not bounce reports (auto-replies, spam...), skipped: {self.not_reports}.",
                 f"Could not be read: {len(self.problems)}."]
        return found + [f"  {problem}" for problem in self.problems]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class _Finding:
    kind: Literal["failed", "delayed", "not_report", "problem"]
    message_id: str = ""
    reason: str = ""  # for "failed"; for "problem", what is wrong


def outbox_read_bounces(messages: Iterable[Message]) -> BounceReport:
    """Record the bounces that ``messages`` report, and count what else they are.

    Each message that is a delivery status notification reporting a permanent
    failure (``Action: failed``, or status 5.x.x without an action) marks the
    message with the original's Message-ID as bounced, the reason being the
    status and the server's diagnostic on one line. Everything else is counted,
    never raised: a malformed message is a line in ``problems``. Each bounce is
    recorded in its own transaction; a message already bounced is left as it is,
    so reading the same mailbox again changes nothing.

    Args:
        messages: parsed messages (``email.message_from_bytes``, a ``mailbox``),
            with any policy; may be a generator.
    """
    counts = {"bounced": 0, "already": 0, "unknown": 0, "delayed": 0, "not_reports": 0}
    problems: list[str] = []
    for n, message in enumerate(messages, start=1):
        try:
            finding = _read(message)
        except Exception as e:  # noqa: BLE001 - a stranger's message must not stop the rest
            finding = _Finding("problem", reason=f"could not be parsed ({type(e).__name__})")
        if finding.kind == "not_report":
            counts["not_reports"] += 1
        elif finding.kind == "delayed":
            counts["delayed"] += 1
        elif finding.kind == "problem":
            problems.append(f"{_label(n, message)}: {finding.reason}")
        else:
            counts[_record(finding.message_id, finding.reason)] += 1
    return BounceReport(**counts, problems=tuple(problems))


def _record(message_id: str, reason: str) -> Literal["bounced", "already", "unknown"]:
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update()
                   .filter(message_id=message_id).first())
        if message is None:
            return "unknown"
        if message.status == S.BOUNCED:
            return "already"
        outbox_record_bounce(message_id=message_id, reason=reason, by=BOUNCE_MAILBOX)
    return "bounced"


def _label(n: int, message: Message) -> str:
    """Which message, for a person looking for it in the mailbox: its place and, if it
    has them, its own Message-ID and Subject."""
    label = f"message {n}"
    try:
        own = _message_id(message.get("Message-ID"))
        subject = one_line(str(message.get("Subject") or ""), max_length=80)
    except Exception:  # noqa: BLE001 - the label must not fail where the reading did
        return label
    if own:
        label += f" {own}"
    if subject:
        label += f" ({subject})"
    return label


def _read(message: Message) -> _Finding:
    report = _find_report(message)
    if report is None:
        return _Finding("not_report")
    payload = report.get_payload()
    if not isinstance(payload, list):
        return _Finding("problem", reason="a delivery report whose parts cannot be read")
    parts = [p for p in payload if isinstance(p, Message)]
    status_part = next((p for p in parts if p.get_content_type() in STATUS_TYPES), None)
    if status_part is None:
        return _Finding("problem", reason="a delivery report without its delivery-status part")
    per_message, recipients = _status_blocks(status_part)
    if not recipients:
        return _Finding("problem", reason="a delivery report naming no recipient")
    outcomes = [(_outcome(block), block) for block in recipients]
    failed = [block for outcome, block in outcomes if outcome == "failed"]
    if not failed:
        if any(outcome == "delayed" for outcome, _ in outcomes):
            return _Finding("delayed")
        return _Finding("not_report")  # delivered, relayed or expanded: no failure
    message_id = _original_message_id(parts, [per_message, message, report])
    if not message_id:
        return _Finding("problem", reason="a bounce that does not give the original's "
                                          "Message-ID")
    return _Finding("failed", message_id=message_id, reason=_reason(failed[0]))


def _find_report(message: Message) -> Message | None:
    """The delivery report: the message itself or a part of it (some servers wrap it),
    never one inside a returned original."""
    if message.get_content_type() == "multipart/report":
        if str(message.get_param("report-type", "")).lower() == "delivery-status":
            return message
        return None  # a read receipt, an abuse complaint: no bounce
    if message.get_content_maintype() != "multipart":
        return None
    parts = message.get_payload()
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, Message) and (found := _find_report(part)) is not None:
            return found
    return None


def _status_blocks(part: Message) -> tuple[Message | None, list[Message]]:
    """The per-message block of fields and the per-recipient ones."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [b for b in payload if isinstance(b, Message)]
    else:  # not split by the parser (encoded, or a policy that does not): split here
        raw = part.get_payload(decode=True)
        text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(payload)
        blocks = [HeaderParser().parsestr(b.strip() + "\n")
                  for b in re.split(r"\r?\n[ \t]*\r?\n", text.strip()) if b.strip()]
    recipients = [b for b in blocks if b.get("Action") or b.get("Final-Recipient")
                  or b.get("Original-Recipient")]
    per_message = blocks[0] if blocks and blocks[0] not in recipients else None
    return per_message, recipients


def _field(block: Message, name: str) -> str:
    value = block.get(name)
    return one_line(str(value), max_length=1000) if value is not None else ""


def _outcome(block: Message) -> str:
    """``failed``, ``delayed`` or something else for one recipient. The action
    decides; a server that gives up after days says ``Action: failed`` with the
    last (4.x.x) status, and the message is lost all the same."""
    action = (_field(block, "Action").split() or [""])[0].lower()
    if action in ("failed", "delayed"):
        return action
    if action:
        return action  # delivered, relayed, expanded
    status = _field(block, "Status")
    return {"5": "failed", "4": "delayed"}.get(status[:1], "unknown")


def _reason(block: Message) -> str:
    status = STATUS.match(_field(block, "Status"))
    diagnostic = DIAGNOSTIC_TYPE.sub("", _field(block, "Diagnostic-Code"))
    reason = " ".join(filter(None, [status.group() if status else "", diagnostic]))
    return one_line(reason or "bounced (the report gives no reason)", max_length=REASON_LENGTH)


def _original_message_id(parts: list[Message], with_headers: list[Message | None]) -> str:
    """The Message-ID of the returned original, else of a header naming it."""
    for part in parts:
        kind = part.get_content_type()
        if kind in ORIGINAL_TYPES:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                headers = inner[0]
            else:  # not parsed as a message: read its headers from the text
                headers = HeaderParser().parsestr(str(inner), headersonly=True)
        elif kind in ORIGINAL_HEADER_TYPES:
            raw = part.get_payload(decode=True)
            headers = (BytesHeaderParser().parsebytes(raw) if isinstance(raw, bytes)
                       else HeaderParser().parsestr(str(part.get_payload())))
        else:
            continue
        if found := _message_id(headers.get("Message-ID")):
            return found
    for message in with_headers:
        for name in ORIGINAL_ID_HEADERS:
            if message is not None and (found := _message_id(message.get(name))):
                return found
    return ""


def _message_id(value: object) -> str:
    """The ``<...>`` in a header's value, or a bare one in brackets; "" if none."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if found := MESSAGE_ID.search(text):
        return found.group()
    return f"<{text}>" if text and MESSAGE_ID.fullmatch(f"<{text}>") else ""
