"""The election's audit log: a hash chain of its steps, checked by ``verify_audit``.

Each entry's hash is the SHA-256 of the previous entry's hash and this entry's
number, time, action, actor and details (canonical JSON), so an entry changed,
removed or inserted afterwards breaks every hash after it. The first entry
follows 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.elections.models import AuditEntry, Election

GENESIS = "0" * 64


def _actor(by: Actor) -> str:
    """Who took a step, as the chain keeps it for ever: a person by their account's
    number, never their address (which a chain cannot erase); ``audit_actor_shown``
    names them while the account exists."""
    if by is None:
        return "nobody"
    why = getattr(by, "why", None)
    if why is not None:
        return f"system: {why}"
    if getattr(by, "pk", None) is None:
        return "anonymous"
    return f"{USER_PREFIX}{by.pk}"


USER_PREFIX = "user "


def audit_actors_shown(actors: Iterable[str]) -> dict[str, str]:
    """Entries' actors for staff and auditors, with one read: a person's account number
    with their current address (an erased person's is the pseudonym erasure gave
    them); anything else as stored. Entries written before 30 November 2026 hold
    the address itself."""
    from rankfile.accounts.models import User

    actors = set(actors)
    numbers = {a: int(a.removeprefix(USER_PREFIX)) for a in actors
               if a.startswith(USER_PREFIX) and a.removeprefix(USER_PREFIX).isdigit()}
    emails = dict(User.objects.filter(pk__in=numbers.values()).values_list("pk", "email"))
    shown = {a: a for a in actors}
    for actor, number in numbers.items():
        email = emails.get(number)
        shown[actor] = f"{actor} ({email})" if email else f"{actor} (no longer exists)"
    return shown


def audit_actor_shown(actor: str) -> str:
    """One entry's actor for staff and auditors (``audit_actors_shown``)."""
    return audit_actors_shown([actor])[actor]


def entry_hash(previous: str, number: int, at: str, action: str, actor: str,
               details: dict[str, Any]) -> str:
    body = json.dumps({"number": number, "at": at, "action": action, "actor": actor,
                       "details": details}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256((previous + body).encode()).hexdigest()


def audit_append(*, election: Election, action: str, by: Actor,
                 details: dict[str, Any] | None = None) -> AuditEntry:
    """Record a step. Call inside the transaction of the step: it commits with it.

    Holds a lock on the election row until the transaction ends, so entries are
    numbered and chained one at a time.
    """
    details = details or {}
    with transaction.atomic():
        # The lock only: the row's published bulletins can be tens of megabytes.
        Election.objects.select_for_update().filter(pk=election.pk).values_list(
            "pk", flat=True).first()
        last = AuditEntry.objects.filter(election=election).order_by("-number").first()
        number = 1 if last is None else last.number + 1
        previous = GENESIS if last is None else last.entry_hash
        at = timezone.now()
        actor = _actor(by)
        return AuditEntry.objects.create(
            election=election, number=number, at=at, action=action, actor=actor,
            details=details, previous_hash=previous,
            entry_hash=entry_hash(previous, number, at.isoformat(), action, actor, details))


def audit_verify(election: Election) -> list[str]:
    """What is wrong with the election's chain, in words (empty: it holds)."""
    problems = []
    previous = GENESIS
    expected_number = 1
    for entry in AuditEntry.objects.filter(election=election).order_by("number"):
        if entry.number != expected_number:
            problems.append(f"entry {expected_number} is missing")
        if entry.previous_hash != previous:
            problems.append(f"entry {entry.number} does not follow the entry before it")
        again = entry_hash(entry.previous_hash, entry.number, entry.at.isoformat(),
                           entry.action, entry.actor, entry.details)
        if again != entry.entry_hash:
            problems.append(f"entry {entry.number} ({entry.action}) was changed")
        previous, expected_number = entry.entry_hash, entry.number + 1
    return problems
