"""Voting codes: made in the sending step, stored only as HMAC-SHA256, mailed once.

A code is 96 random bits, shown as four groups of five letters and digits
(base32). What is stored is HMAC-SHA256(code) under ``ELECTIONS_CREDENTIAL_KEY``,
a server secret: fast enough to issue 650,000 in minutes (a slow password hash
would take a day), and useless without the key. The code itself is put in the
voter's e-mail (the outbox) and forgotten; nothing stores it beside a tracker.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.actors import System
from rankfile.core.errors import Conflict, NotFound, Refusal
from rankfile.elections.access import check_runs, check_watches
from rankfile.elections.models import Credential, Election, RollEntry
from rankfile.elections.rules import day
from rankfile.elections.services.audit import audit_append
from rankfile.elections.services.setup import current_rules
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.selectors import outbox_message_with_id, outbox_problem_list
from rankfile.outbox.services import (
    Draft,
    outbox_enqueue_many,
    outbox_progress,
    outbox_record_bounce,
)

CODE_BYTES = 12  # 96 bits: at least 80, as the issue asks
CODE_CHARS = 20  # base32 of 12 bytes, without padding
CODE_SHAPE = re.compile(r"^[A-Z2-7]{20}$")
CHUNK = 1000
PURPOSE = "election_credential"


class MalformedCredential(Refusal):
    code = "malformed_credential"
    http_status = 400


def code_make() -> str:
    """A fresh code, e.g. ``K7QXM-2PLAR-W4NZE-HT6JB``."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")
    return "-".join(raw[i:i + 5] for i in range(0, CODE_CHARS, 5))


def code_normalise(code: object) -> str:
    """The code as typed, without spaces or hyphens, in capitals; or a refusal (400)."""
    if not isinstance(code, str) or len(code) > 64:
        raise MalformedCredential("Type the voting code from your e-mail: 20 letters and "
                                  "digits.", field="credential")
    plain = re.sub(r"[\s-]", "", code).upper()
    if not CODE_SHAPE.match(plain):
        raise MalformedCredential("That is not a voting code: it has 20 letters and digits, "
                                  "in four groups of five, as in your e-mail.",
                                  field="credential")
    return plain


def _key() -> bytes:
    key = settings.ELECTIONS_CREDENTIAL_KEY
    if len(key) < 32:
        raise ImproperlyConfigured("Set ELECTIONS_CREDENTIAL_KEY to a random string of at least "
                                   "32 characters.")
    return key.encode()


def code_hmac(code: str) -> str:
    """HMAC-SHA256 of the code (normalised) under the server secret, in hex."""
    return hmac.new(_key(), code_normalise(code).encode(), hashlib.sha256).hexdigest()


def credentials_issue(*, by: Actor, election: Election) -> None:
    """Queue the job that makes and mails a code to every voter who has none yet.

    Raises:
        Conflict: the roll is not frozen.
    """
    from rankfile.elections.tasks import send_credentials

    check_runs(by, election)
    rules = current_rules(election)
    if rules is None or rules.frozen_at is None:
        raise Conflict("Freeze the roll before issuing voting codes.", code="roll_not_frozen")
    _key()
    with transaction.atomic():
        send_credentials.enqueue(election_id=election.pk)


def _waiting(election: Election, *, after: int = 0) -> QuerySet[RollEntry]:
    """Entries on the current roll after the entry ``after``, not voted, with no live
    credential."""
    rules = current_rules(election)
    assert rules is not None
    # NOT EXISTS, not NOT IN, and bounded below by ``after`` in both: PostgreSQL
    # then reads the entries and the credentials' index from ``after`` on, where
    # NOT IN hashed every credential issued so far at each chunk (quadratic over a
    # 650,000-voter roll; bench/RESULTS.md, 2026-11-30).
    live = Credential.objects.filter(entry=OuterRef("pk"), entry_id__gt=after,
                                     revoked_at__isnull=True)
    return (rules.entries.filter(eligible=True, voted_on__isnull=True, pk__gt=after)
            .filter(~Exists(live))
            .select_related("user").order_by("pk"))


def _tell_the_planner() -> None:
    """Refresh PostgreSQL's statistics of the roll and the credentials before reading
    them in chunks: a roll drawn moments ago still looks empty to the planner until
    autovacuum comes round, and it then sorts the whole roll at every chunk of codes
    (0.1-0.6 s each; 25 ms once analysed; bench/RESULTS.md, 2026-11-30)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                           for m in (RollEntry, Credential))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def credentials_make(entries: Iterable[RollEntry], *, election: Election
                     ) -> list[tuple[RollEntry, str]]:
    """Make a code for each entry and store its HMAC; the codes, to deliver now.

    The caller holds the transaction, and delivers (queues the mail or writes the
    demo's file) inside it: a code nobody will receive is never stored.
    """
    now = timezone.now()
    made = [(entry, code_make()) for entry in entries]
    Credential.objects.bulk_create([Credential(entry=entry, code_hmac=code_hmac(code),
                                               issued_at=now) for entry, code in made])
    return made


def credential_draft(election: Election, entry: RollEntry, code: str) -> Draft:
    body = (f"Your voting code for {election.title} is:\n\n    {code}\n\n"
            f"Vote at {settings.SITE_URL}/elections/{election.slug}/vote/ with this code, "
            "or log in and vote from your account. Keep it to yourself: it casts your "
            "ballot once, and nobody from the organisation will ask you for it.\n")
    return Draft(to=entry.user.email, subject=f"Your voting code: {election.title}",
                 body=body, purpose=PURPOSE,
                 key=f"{PURPOSE}:{election.pk}:{code_hmac(code)[:40]}")


def credentials_send(*, election_id: int) -> int:
    """The job: codes for every voter still without one, mailed through the outbox.

    Safe to run twice, or in two workers at once: each chunk stores its
    credentials and queues their mail in one transaction, and one live
    credential per entry is a unique constraint, so a chunk another run got to
    first rolls back whole and is looked up again. Returns how many were issued.
    """
    election = Election.objects.get(pk=election_id)
    issued = 0
    _tell_the_planner()
    after = 0  # entries are read in order: those before ``after`` have their code
    while True:
        chunk = list(_waiting(election, after=after)[:CHUNK])
        if not chunk:
            return issued
        try:
            with transaction.atomic():
                made = credentials_make(chunk, election=election)
                outbox_enqueue_many(credential_draft(election, e, c) for e, c in made)
                audit_append(election=election, action="credentials_issued",
                             by=System("send_credentials"), details={"count": len(made)})
        except IntegrityError:
            continue  # another run issued some of these meanwhile: look again
        issued += len(made)
        after = chunk[-1].pk


def credential_reissue(*, by: Actor, entry: RollEntry) -> None:
    """Revoke the voter's code (the old one stops working) and mail a new one."""
    election = entry.election
    check_runs(by, election)
    if entry.voted_on is not None:
        raise Conflict("This voter has voted: there is nothing to reissue.", code="voted")
    with transaction.atomic():
        entry.credentials.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        made = credentials_make([entry], election=election)
        outbox_enqueue_many(credential_draft(election, e, c) for e, c in made)
        audit_append(election=election, action="credential_reissued", by=by,
                     details={"entry": entry.pk})


def credential_request(*, voter: Actor, election: Election) -> None:
    """A voter who never got their code asks for a new one, sent to the address on the
    roll (their login's); the old code stops. The page calling this rate-limits it.

    Raises:
        Conflict: the ballot is not open, or they have voted.
        PermissionRefused: they are not on the roll.
    """
    from rankfile.core.errors import PermissionRefused
    from rankfile.elections.services.roll import current_roll

    if not isinstance(voter, User):
        raise PermissionRefused("Log in to ask for a new voting code.", code="login")
    if election.status != Election.Status.OPEN:
        raise Conflict("Voting codes are sent only while the ballot is open.", code="not_open")
    entry = current_roll(election).filter(user=voter, eligible=True).select_related(
        "user").first()
    if entry is None:
        raise PermissionRefused("You are not on the roll of this election.", code="not_on_roll")
    if entry.voted_on is not None:
        raise Conflict("You have voted in this election already.", code="voted")
    with transaction.atomic():
        entry.credentials.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        made = credentials_make([entry], election=election)
        outbox_enqueue_many(credential_draft(election, e, c) for e, c in made)
        audit_append(election=election, action="credential_requested", by=voter,
                     details={"entry": entry.pk})


# -- progress, bounces and reminders, for the returning officer ---------------------------

REMINDER_PURPOSE = "election_reminder"
REMINDER_GAP = dt.timedelta(hours=24)


def _key_prefix(election: Election) -> str:
    return f"{PURPOSE}:{election.pk}:"


def _election_id(key: str) -> int | None:
    """The election a voting code's outbox key (``_key_prefix``) belongs to."""
    number = key.removeprefix(f"{PURPOSE}:").partition(":")[0]
    return int(number) if key.startswith(f"{PURPOSE}:") and number.isdigit() else None


@dataclass(frozen=True)
class CredentialProgress:
    """How far the voting codes have gone: voters, and the messages carrying their codes
    (a reissued code is a message of its own)."""

    on_roll: int
    voted: int
    not_yet: int  # on the roll, not voted, no live code: the job has not reached them
    queued: int
    sent: int
    failed: int
    bounced: int
    reminder_rounds: int


def credentials_progress(*, by: Actor, election: Election) -> CredentialProgress:
    """Codes queued, sent, refused (failed) and bounced, and voters not reached yet."""
    check_watches(by, election)
    rules = current_rules(election)
    on_roll = voted = not_yet = 0
    if rules is not None:
        on = rules.entries.filter(eligible=True)
        on_roll, voted = on.count(), on.filter(voted_on__isnull=False).count()
        not_yet = _waiting(election).count() if rules.frozen_at else 0
    mail = outbox_progress(purpose=PURPOSE, key_prefix=_key_prefix(election))
    rounds = election.audit.filter(action="reminders_started").count()
    return CredentialProgress(on_roll, voted, not_yet, mail.queued, mail.sent, mail.failed,
                              mail.bounced, rounds)


@dataclass(frozen=True)
class Bounce:
    message: OutboxMessage
    entry: RollEntry | None  # whose code it carried
    replaced: bool  # a newer code went out since


def credential_bounces(*, by: Actor, election: Election, limit: int = 200) -> list[Bounce]:
    """Voting codes that bounced or that the mail server refused, newest first."""
    check_watches(by, election)
    found = []
    for message in outbox_problem_list(purpose=PURPOSE,
                                       key_prefix=_key_prefix(election))[:limit]:
        prefix = message.key.removeprefix(_key_prefix(election))
        credential = (Credential.objects.filter(entry__election=election,
                                                code_hmac__startswith=prefix)
                      .select_related("entry__user", "entry__membership").first())
        entry = credential.entry if credential else None
        replaced = bool(credential and credential.revoked_at is not None
                        and entry is not None
                        and entry.credentials.filter(issued_at__gt=credential.issued_at)
                        .exists())
        found.append(Bounce(message, entry, replaced))
    return found


def credential_bounce_record(*, by: Actor, election: Election, message_id: str,
                             reason: str) -> OutboxMessage:
    """Record that the message carrying a voting code bounced (from the bounce report
    the mail server sent back, by its Message-ID), so it is listed for staff.

    Raises:
        Refusal: no Message-ID or reason, or no voting code of this election was sent
            with that Message-ID.
    """
    check_runs(by, election)
    message_id = (message_id if isinstance(message_id, str) else "").strip()
    reason = (reason if isinstance(reason, str) else "").strip()
    if not message_id or len(message_id) > 200 or any(c in message_id for c in "\r\n\0 "):
        raise Refusal("Give the Message-ID from the bounce report, e.g. "
                      "<4f2a…@example.org>.", code="bad_message_id", field="message_id")
    if not reason or "\0" in reason or len(reason) > 1000:
        raise Refusal("Say why it bounced (the mail server's words), in at most 1,000 "
                      "characters.", code="bad_reason", field="reason")
    message = outbox_message_with_id(message_id)
    if message is None or not message.key.startswith(_key_prefix(election)):
        raise Refusal("No voting code of this election was sent with that Message-ID. "
                      "Copy it from the bounce report's original message.",
                      code="unknown_message", field="message_id")
    # The audit entry is written by credential_bounce_audit, in the same transaction.
    bounced = outbox_record_bounce(message_id=message.message_id, reason=reason, by=by)
    assert bounced is not None
    return bounced


def credential_bounce_audit(*, message: OutboxMessage, by: Actor, **_: object) -> None:
    """Log a voting code's bounce in its election's audit (``outbox.signals.message_bounced``),
    whether an officer recorded it or it was read from the bounce mailbox."""
    if message.purpose != PURPOSE:
        return
    election_id = _election_id(message.key)
    election = None if election_id is None else Election.objects.filter(pk=election_id).first()
    if election is not None:
        audit_append(election=election, action="credential_bounced", by=by,
                     details={"message": message.pk})


def roll_entry_by_reference(*, by: Actor, election: Election, reference: str) -> RollEntry:
    """The current roll's entry of the member with ``reference``, for the returning officer.

    Raises:
        NotFound: no such member on the roll.
    """
    from rankfile.elections.services.roll import current_roll

    check_runs(by, election)
    plain = (reference if isinstance(reference, str) else "").strip().upper()
    entry = None
    if plain and len(plain) <= 12:
        entry = (current_roll(election).filter(eligible=True, membership__reference=plain)
                 .select_related("user", "election").first())
    if entry is None:
        raise NotFound("Nobody on the roll has that membership reference. Check it on the "
                       "member's record.", code="not_on_roll", field="reference")
    return entry


def reminders_start(*, by: Actor, election: Election) -> int:
    """Start a round of reminders to everyone on the roll who has not voted; returns the
    round's number. One round a day at most, so a button pressed twice sends once.

    Raises:
        Conflict: the ballot is not open, or the last round started less than a day ago.
    """
    from rankfile.elections.tasks import send_reminders

    check_runs(by, election)
    if election.status != Election.Status.OPEN:
        raise Conflict("Reminders go out only while the ballot is open.", code="not_open")
    with transaction.atomic():
        Election.objects.select_for_update().filter(pk=election.pk).first()
        rounds = election.audit.filter(action="reminders_started").order_by("-number")
        last = rounds.first()
        if last is not None and timezone.now() - last.at < REMINDER_GAP:
            raise Conflict("Reminders went out less than a day ago: send the next round "
                           "tomorrow.", code="reminded_recently")
        number = rounds.count() + 1
        audit_append(election=election, action="reminders_started", by=by,
                     details={"round": number})
        send_reminders.enqueue(election_id=election.pk, round_number=number)
    return number


def reminder_draft(election: Election, entry: RollEntry, round_number: int) -> Draft:
    closes = (f" The ballot closes on {day(timezone.localdate(election.ballot_closes_at))}."
              if election.ballot_closes_at else "")
    body = (f"You have not voted yet in {election.title}.{closes}\n\n"
            f"Vote at {settings.SITE_URL}/elections/{election.slug}/vote/ with the code we "
            "sent you, or log in and vote from your account. If you never got your code, "
            f"ask for a new one at {settings.SITE_URL}/elections/{election.slug}/can-i-vote/"
            ".\n\nIf you have voted since this was sent, thank you: there is nothing more "
            "to do.\n")
    return Draft(to=entry.user.email, subject=f"Reminder: vote in {election.title}",
                 body=body, purpose=REMINDER_PURPOSE,
                 key=f"{REMINDER_PURPOSE}:{election.pk}:{round_number}:{entry.pk}")


def reminders_send(*, election_id: int, round_number: int) -> int:
    """The job: one reminder per voter on the roll who has not voted, for this round.

    Safe to run twice, or after a crash: each message's key names the round and
    the entry, so one queued already is skipped. Returns how many were queued now.
    """
    election = Election.objects.get(pk=election_id)
    rules = current_rules(election)
    if rules is None or election.status != Election.Status.OPEN:
        return 0
    queued, after = 0, 0
    while True:
        chunk = list(rules.entries.filter(eligible=True, voted_on__isnull=True, pk__gt=after)
                     .select_related("user").order_by("pk")[:CHUNK])
        if not chunk:
            return queued
        queued += outbox_enqueue_many(reminder_draft(election, e, round_number)
                                      for e in chunk)
        after = chunk[-1].pk
