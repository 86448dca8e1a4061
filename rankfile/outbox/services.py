"""The outbox: every e-mail is queued with the change that causes it, then sent by a job.

Queue with ``outbox_enqueue`` (one message) or ``outbox_enqueue_many`` (a mass
mailing) inside the transaction of the change: the messages and the jobs that
deliver them commit with it, or not at all. Each message has a ``key`` (one row
per message and purpose) and a Message-ID fixed when it is queued.

Delivery (``outbox_send``, run by the ``outbox.tasks.deliver`` job) sends the
messages of a batch over one connection, at most ``OUTBOX_RATE`` a second per
worker, and records each as sent the moment the server accepted it. So a job
run again after its worker was killed sends only what was not recorded: at
most the message in flight goes out twice, with the same Message-ID. A
message the server refuses for good is marked failed; one it refuses for now
is tried again later (``OUTBOX_MAX_ATTEMPTS``). Jobs carry message ids, never
addresses or links.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import smtplib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from rankfile.core.db import relaxed_commits
from rankfile.core.errors import Refusal
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.signals import message_bounced

__all__ = [
    "Draft",
    "Progress",
    "Rendered",
    "outbox_enqueue",
    "outbox_enqueue_many",
    "outbox_progress",
    "outbox_record_bounce",
    "outbox_render",
    "outbox_send",
]

logger = logging.getLogger("rankfile.outbox")

S = OutboxMessage.Status

# Headers the outbox sets itself; a caller may add others (List-Unsubscribe, Reply-To...).
RESERVED_HEADERS = frozenset({
    "to", "cc", "bcc", "from", "sender", "subject", "message-id", "date", "mime-version",
    "content-type", "content-transfer-encoding",
})
HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,75}$")
INSERT_CHUNK = 1000
T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """``itertools.batched`` of Python 3.12."""
    it = iter(items)
    while chunk := tuple(islice(it, size)):
        yield chunk


@dataclass(frozen=True)
class Draft:
    """One message to queue with ``outbox_enqueue_many``; fields as ``outbox_enqueue``'s."""

    to: str
    subject: str
    body: str
    purpose: str
    key: str
    html_body: str | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Progress:
    """How far the messages of one purpose have gone."""

    queued: int
    sent: int
    failed: int
    bounced: int

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed + self.bounced


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html_body: str | None


def outbox_render(*, template: str, context: Mapping[str, object],
                  subject: str | None = None) -> Rendered:
    """Render ``template`` (``emails/receipt.txt``) into a message's subject and bodies.

    The body is ``template``; an HTML body is the same name ending ``.html`` if
    that template exists. The subject is ``subject`` if given, else the
    template ``…_subject.txt`` beside it (one line); either way it starts with
    the organisation's name. The context has ``ORGANISATION_NAME`` and
    ``SITE_URL`` besides ``context``.
    """
    stem = template.removesuffix(".txt")
    full = {"ORGANISATION_NAME": settings.ORGANISATION_NAME, "SITE_URL": settings.SITE_URL,
            **context}
    if subject is None:
        subject = " ".join(render_to_string(f"{stem}_subject.txt", full).split())
    try:
        html: str | None = render_to_string(f"{stem}.html", full)
    except TemplateDoesNotExist:
        html = None
    return Rendered(subject=f"{settings.ORGANISATION_NAME}: {subject}",
                    body=render_to_string(template, full), html_body=html)


# -- queueing -------------------------------------------------------------------------------


def _checked(draft: Draft) -> Draft:
    """The draft with its address and subject tidied, or a Refusal naming what is wrong."""
    to = (draft.to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        raise Refusal("Give one valid e-mail address to send to.", code="bad_address",
                      field="to") from None
    subject = (draft.subject or "").strip()
    if not subject or any(c in subject for c in "\r\n\0") or len(subject) > 900:
        raise Refusal("Give a subject of one line (at most 900 characters).",
                      code="bad_subject", field="subject")
    if not draft.purpose or len(draft.purpose) > 64 or not draft.key or len(draft.key) > 200:
        raise Refusal("Give a purpose (at most 64 characters) and a key (at most 200).",
                      code="bad_key", field="key")
    if "\0" in draft.body or "\0" in (draft.html_body or ""):
        raise Refusal("A message cannot contain a NUL character.", code="bad_body",
                      field="body")
    for name, value in (draft.headers or {}).items():
        if (not HEADER_NAME.match(name) or name.lower() in RESERVED_HEADERS
                or any(c in str(value) for c in "\r\n\0")):
            raise Refusal(f"The header {name!r} cannot be set: give a name of letters, digits "
                          "and hyphens, other than the ones the outbox sets, and a value of "
                          "one line.", code="bad_header", field="headers")
    return Draft(to=to, subject=subject, body=draft.body, purpose=draft.purpose, key=draft.key,
                 html_body=draft.html_body, headers=dict(draft.headers or {}))


def _message_id_domain() -> str:
    return (settings.OUTBOX_MESSAGE_ID_DOMAIN or urlsplit(settings.SITE_URL).hostname
            or "rankfile.invalid")


def _row(draft: Draft, domain: str, now: dt.datetime) -> OutboxMessage:
    return OutboxMessage(
        key=draft.key, purpose=draft.purpose, to=draft.to, subject=draft.subject,
        body=draft.body, html_body=draft.html_body or "", headers=draft.headers or {},
        message_id=f"<{secrets.token_hex(16)}@{domain}>", queued_at=now,
    )


def _deliver_later(ids: Sequence[int], *, run_after: dt.datetime | None = None) -> None:
    from rankfile.outbox.tasks import deliver

    for part in batched(ids, max(1, settings.OUTBOX_BATCH)):
        job = deliver if run_after is None else deliver.using(run_after=run_after)
        job.enqueue(ids=list(part))


def outbox_enqueue(*, to: str, subject: str, body: str, purpose: str, key: str,
                   html_body: str | None = None,
                   headers: dict[str, str] | None = None) -> OutboxMessage:
    """Queue one e-mail inside the caller's transaction (it commits with the change or
    not at all). ``key`` is unique: queueing again with the same key returns the
    message already queued and sends nothing more.

    Args:
        to: one address.
        subject, body, html_body: the message (``outbox_render`` makes them from templates).
        purpose: what kind of message (``join_confirmation``), for progress and problems.
        key: which message (``join_confirmation:RF-ABC123``), unique across all.
        headers: more headers, e.g. ``List-Unsubscribe``.

    Raises:
        Refusal: an invalid address, a subject of more than one line, a header the
            outbox sets itself or a NUL character.
    """
    draft = _checked(Draft(to=to, subject=subject, body=body, purpose=purpose, key=key,
                           html_body=html_body, headers=headers))
    with transaction.atomic():
        existing = OutboxMessage.objects.filter(key=draft.key).first()
        if existing is not None:
            return existing
        message = _row(draft, _message_id_domain(), timezone.now())
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:  # queued meanwhile by a concurrent transaction
            return OutboxMessage.objects.get(key=draft.key)
        _deliver_later([message.pk])
    return message


def outbox_enqueue_many(drafts: Iterable[Draft]) -> int:
    """Queue many e-mails (a mass mailing) with bulk inserts; returns how many are new.

    The same guarantees as ``outbox_enqueue``: a key already queued is skipped,
    and everything commits with the caller's transaction. Without one, each
    chunk of a thousand commits on its own, so a mailing cut short can be
    queued again: what was queued is skipped. ``drafts`` may be a generator.

    Raises:
        Refusal: as ``outbox_enqueue``, for the first bad draft; with no
            transaction around the call, the chunks before its own stay queued.
    """
    domain = _message_id_domain()
    queued = 0
    for chunk in batched(drafts, INSERT_CHUNK):
        checked: dict[str, Draft] = {}
        for draft in chunk:
            draft = _checked(draft)
            checked.setdefault(draft.key, draft)
        with transaction.atomic():
            known = set(OutboxMessage.objects.filter(key__in=list(checked))
                        .values_list("key", flat=True))
            now = timezone.now()
            rows = [_row(d, domain, now) for k, d in checked.items() if k not in known]
            try:
                with transaction.atomic():
                    created = OutboxMessage.objects.bulk_create(rows)
            except IntegrityError:  # some were queued meanwhile: one at a time
                created = []
                for row in rows:
                    try:
                        with transaction.atomic():
                            row.save(force_insert=True)
                        created.append(row)
                    except IntegrityError:
                        pass
            _deliver_later([row.pk for row in created])
        queued += len(created)
    return queued


# -- sending --------------------------------------------------------------------------------


class _Throttle:
    """Spaces sends to at most ``rate`` a second (0: no limit)."""

    def __init__(self, rate: int) -> None:
        self.gap = 1 / rate if rate > 0 else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        if not self.gap:
            return
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)
        self.next = max(self.next, now) + self.gap


def _email(message: OutboxMessage, connection: BaseEmailBackend) -> EmailMessage:
    headers = {**message.headers, "Message-ID": message.message_id}
    email: EmailMessage
    if message.html_body:
        email = EmailMultiAlternatives(message.subject, message.body, None, [message.to],
                                       headers=headers, connection=connection)
        email.attach_alternative(message.html_body, "text/html")
    else:
        email = EmailMessage(message.subject, message.body, None, [message.to],
                             headers=headers, connection=connection)
    return email


def _is_permanent(error: Exception) -> bool:
    """A refusal the server will repeat (5xx), as opposed to "not now" (4xx, no answer)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def outbox_send(*, ids: Sequence[int]) -> int:
    """Send the messages among ``ids`` that are still queued, over one connection.

    Each message is recorded as sent (and its body erased) the moment the server
    accepts it, in its own statement: so a worker killed mid-batch has sent at
    most one message that is not recorded. A message the server refuses for
    now, or the rest of the batch when the connection is lost, is queued for a
    later delivery job. Returns how many were sent now.
    """
    pending = list(OutboxMessage.objects.filter(pk__in=ids, status=S.QUEUED).order_by("pk"))
    if not pending:
        return 0
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as e:
        _try_later([(m, e) for m in pending])
        return 0
    throttle = _Throttle(settings.OUTBOX_RATE)
    sent = 0
    later: list[tuple[OutboxMessage, Exception]] = []
    try:
        # Each "sent" mark commits without waiting for the disk: it is lost only if
        # the database server itself crashes, and then the message goes out again.
        with relaxed_commits():
            for i, message in enumerate(pending):
                throttle.wait()
                error = _send_one(connection, message)
                if isinstance(error, bool):
                    sent += error
                elif isinstance(error, smtplib.SMTPRecipientsRefused
                                | smtplib.SMTPResponseException):
                    later.append((message, error))  # the server said "not now" to this one
                else:  # the connection is gone: the rest of the batch waits too
                    later += [(m, error) for m in pending[i:]]
                    break
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass
    if later:
        _try_later(later)
    return sent


def _send_one(connection: BaseEmailBackend, message: OutboxMessage) -> bool | Exception:
    """Send and record one message: True if sent, False if refused for good (recorded
    as failed), or the error if the server refused it only for now.
    """
    try:
        connection.send_messages([_email(message, connection)])
    except (smtplib.SMTPException, OSError) as e:
        if not _is_permanent(e):
            return e
        OutboxMessage.objects.filter(pk=message.pk, status=S.QUEUED).update(
            status=S.FAILED, attempts=message.attempts + 1, error=_describe(e))
        logger.warning("Message %s (%s) refused: %s", message.pk, message.purpose, e)
        return False
    OutboxMessage.objects.filter(pk=message.pk, status=S.QUEUED).update(
        status=S.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, body="",
        html_body="", error="")
    return True


def _try_later(failures: Sequence[tuple[OutboxMessage, Exception]]) -> None:
    """Count a failed attempt; queue a later delivery, or give up after the last attempt."""
    again: list[int] = []
    with transaction.atomic():
        for message, error in failures:
            attempts = message.attempts + 1
            last = attempts >= settings.OUTBOX_MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=message.pk, status=S.QUEUED).update(
                attempts=attempts, error=_describe(error), **({"status": S.FAILED} if last else {}))
            if not last:
                again.append(message.pk)
        if again:
            attempts = min(m.attempts for m, _ in failures) + 1
            wait = min(60 * 2 ** (attempts - 1), 3600)
            logger.warning("%d messages not sent (%s); trying again in %d s.", len(again),
                           _describe(failures[0][1]), wait)
            _deliver_later(again, run_after=timezone.now() + dt.timedelta(seconds=wait))


def outbox_record_bounce(*, message_id: str, reason: str, by: object = None
                         ) -> OutboxMessage | None:
    """Record that a sent message bounced (from a bounce report, by its Message-ID),
    and tell the apps (``signals.message_bounced``, in the same transaction).

    Args:
        by: who recorded it (an officer, or ``System`` for the bounce mailbox).

    Returns the message, or None if no message has that Message-ID.
    """
    message_id = message_id.strip()
    if not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(
            message_id=message_id).first()
        if message is None:
            return None
        message.status = S.BOUNCED
        message.error = reason[:1000]
        message.save(update_fields=["status", "error"])
        message_bounced.send(sender=OutboxMessage, message=message, reason=message.error,
                             by=by)
    return message


def outbox_progress(*, purpose: str, key_prefix: str = "") -> Progress:
    """Queued, sent, failed and bounced counts of one purpose's messages (those whose
    key starts with ``key_prefix``, if given: one election's voting codes)."""
    messages = OutboxMessage.objects.filter(purpose=purpose)
    if key_prefix:
        messages = messages.filter(key__startswith=key_prefix)
    counts = dict(messages.order_by().values_list("status").annotate(n=Count("pk")))
    return Progress(queued=counts.get(S.QUEUED, 0), sent=counts.get(S.SENT, 0),
                    failed=counts.get(S.FAILED, 0), bounced=counts.get(S.BOUNCED, 0))
