"""The electoral roll: rules as data, drawn into entries with reasons, then frozen.

Evaluating stores, for each person with a membership in the election's body,
in or out and the reason in plain words (``elections/rules.py`` decides).
Freezing fixes the roll and its rules with SHA-256 hashes; a change of rules
after that makes a new version, and the old one stays as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.accounts.roles import bodies_within
from rankfile.core.errors import Conflict, Refusal
from rankfile.elections import rules as eligibility
from rankfile.elections.access import check_runs, check_watches
from rankfile.elections.models import (
    Credential,
    Election,
    PostalKeying,
    RollClaim,
    RollEntry,
    RollRules,
)
from rankfile.elections.services.audit import audit_append
from rankfile.elections.services.setup import current_rules
from rankfile.membership.models import Membership, Payment
from rankfile.membership.services.dues import dues_of
from rankfile.vetting.models import Appeal

# Memberships never completed are nobody's claim to a vote.
NEVER_MEMBERS = (Membership.Status.APPLIED, Membership.Status.EXPIRED)


def roll_rules_set(*, by: Actor, election: Election, rules: dict[str, Any]) -> RollRules:
    """Write the eligibility rules: a new version if the current one is frozen (or none).

    Raises:
        Refusal: the rules are not of the form ``elections/rules.py`` documents.
        Conflict: the box is open or closed: the roll no longer changes.
    """
    check_runs(by, election)
    try:
        eligibility.parse(rules)
    except eligibility.RulesError as e:
        raise Refusal(str(e), code="bad_rules", field="rules") from None
    if election.status != Election.Status.NOMINATIONS:
        raise Conflict("The roll is fixed once the ballot opens.", code="roll_fixed")
    with transaction.atomic():
        current = current_rules(election)
        if current is not None and current.frozen_at is None:
            current.rules = rules
            current.evaluated_at = None
            current.save(update_fields=("rules", "evaluated_at"))
            _entries_delete(current)
            return current
        return RollRules.objects.create(
            election=election, version=(current.version + 1) if current else 1, rules=rules,
            created_at=timezone.now(), created_by=by if isinstance(by, User) else None)


# What refers to a roll entry, deleted with it (``test_roll`` fails when a model
# that refers to RollEntry is missing here).
ENTRY_DEPENDENTS = (Credential, PostalKeying)


def _entries_delete(rules: RollRules) -> None:
    """Delete a version's entries and what refers to them, as CASCADE would, in one
    statement a table. The ORM's delete reads every entry into memory and then lists
    their ids as parameters: a 650,000-voter roll broke PostgreSQL's 65,535."""
    entries = RollEntry.objects.filter(rules=rules)
    for dependent in ENTRY_DEPENDENTS:
        dependent.objects.filter(entry__in=entries.values("pk")).delete()  # no cascades
    table = connection.ops.quote_name(RollEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rules_id = %s",  # noqa: S608 (no input)
                       [rules.pk])


def _memberships(election: Election, user: User | None = None) -> Any:
    found = Membership.objects.exclude(status__in=NEVER_MEMBERS)
    if user is not None:
        found = found.filter(user=user)
    if election.body.parent_id is not None:
        within = bodies_within([election.body])
        found = found.filter(Q(branch_id__in=within) | Q(constituency_id__in=within))
    paid = Payment.objects.filter(status=Payment.Status.PAID)
    return (found.select_related("category", "rate")
            .prefetch_related(Prefetch("payments", queryset=paid, to_attr="paid_payments"))
            .order_by("user_id", "pk"))


# People read at a time when the roll is drawn: each chunk's payments are read with
# one IN list of its memberships, which must stay far under PostgreSQL's 65,535
# parameters (650,000 memberships at once broke it) and SQLite's limit too.
PEOPLE_PER_CHUNK = 5_000


def _people(election: Election) -> Iterator[tuple[int, list[Membership]]]:
    """Each person whose memberships the roll looks at, with those memberships, read
    in chunks of about ``PEOPLE_PER_CHUNK`` people (in order of their user id)."""
    after = 0
    while True:
        chunk = list(_memberships(election).filter(user_id__gt=after)[:PEOPLE_PER_CHUNK])
        if not chunk:
            return
        if len(chunk) == PEOPLE_PER_CHUNK:
            # The last person's memberships may go on past the chunk: read them
            # whole with the next one (unless they are all there is).
            last = chunk[-1].user_id
            whole = [m for m in chunk if m.user_id != last]
            if not whole:
                whole = list(_memberships(election).filter(user_id=last))
            chunk = whole
        by_user: dict[int, list[Membership]] = defaultdict(list)
        for m in chunk:
            by_user[m.user_id].append(m)
        yield from by_user.items()
        after = chunk[-1].user_id


def facts_of(membership: Membership, *, cutoff: Any) -> eligibility.Facts:
    """What the rules look at, read from a membership (with ``paid_payments`` prefetched
    by ``_memberships``, or read here)."""
    paid = getattr(membership, "paid_payments", None)
    if paid is None:
        paid = list(membership.payments.filter(status=Payment.Status.PAID))
    dues = dues_of(membership, today=cutoff, periods_paid=sum(p.periods or 0 for p in paid))
    return eligibility.Facts(
        category=membership.category.kind, status=membership.status,
        date_of_birth=membership.date_of_birth, joined_on=membership.joined_on,
        good_standing_since=membership.good_standing_since,
        overdue_days=dues.overdue_days if dues else 0,
        paid_on=tuple(timezone.localdate(p.paid_at) for p in paid if p.paid_at),
        vetting=membership.vetting, union_verified=membership.union_verified_at is not None)


def decide(rules: eligibility.Rules, memberships: list[Membership], *, today: Any
           ) -> tuple[Membership | None, eligibility.Decision]:
    """One person's place: through the first membership that lets them vote, else the
    reason of their most relevant one (a category the rules name, first)."""
    cutoff = rules.cutoff_date or today
    decisions = [(m, eligibility.evaluate(rules, facts_of(m, cutoff=cutoff), today=today))
                 for m in memberships]
    for m, d in decisions:
        if d.eligible:
            return m, d
    decisions.sort(key=lambda md: md[0].category.kind not in rules.categories)
    return decisions[0]


def roll_evaluate(*, by: Actor, election: Election) -> RollRules:
    """Draw the roll from the current rules: one entry per person, in or out, with why.

    Raises:
        Conflict: no rules yet, or the current version is frozen (set the rules again
            to make a new version).
    """
    check_runs(by, election)
    current = current_rules(election)
    if current is None:
        raise Conflict("Write the eligibility rules first.", code="no_rules")
    if current.frozen_at is not None:
        raise Conflict("This roll is frozen; changing the rules makes a new version.",
                       code="roll_frozen")
    rules = eligibility.parse(current.rules)
    today = timezone.localdate()
    with transaction.atomic():
        _entries_delete(current)
        rows = []
        for user_id, memberships in _people(election):
            chosen, decision = decide(rules, memberships, today=today)
            rows.append(RollEntry(
                rules=current, election=election, user_id=user_id, membership=chosen,
                section=chosen.category.kind if chosen else "",
                branch_id=chosen.branch_id if chosen else None,
                eligible=decision.eligible, reason=decision.reason, reason_code=decision.code))
            if len(rows) == PEOPLE_PER_CHUNK:
                RollEntry.objects.bulk_create(rows, batch_size=2000)
                rows = []
        RollEntry.objects.bulk_create(rows, batch_size=2000)
        amendments_apply(current)
        current.evaluated_at = timezone.now()
        current.save(update_fields=("evaluated_at",))
    return current


def amendment_apply(rules: RollRules, claim: RollClaim) -> None:
    """Make the person's entry in ``rules`` what the upheld ``claim`` decided (adding
    an entry for a claimant who had none). Call inside the caller's transaction."""
    code = "claim" if claim.kind == RollClaim.Kind.CLAIM else "objection"
    changed = rules.entries.filter(user_id=claim.person_id).update(
        eligible=claim.after_eligible, section=claim.after_section, reason=claim.after_reason,
        reason_code=code)
    if not changed and claim.kind == RollClaim.Kind.CLAIM:
        membership = (_memberships(rules.election, claim.person).last()
                      if claim.person_id else None)
        RollEntry.objects.create(
            rules=rules, election=rules.election, user_id=claim.person_id,
            membership=membership, section=claim.after_section,
            branch_id=membership.branch_id if membership else None,
            eligible=bool(claim.after_eligible), reason=claim.after_reason, reason_code=code)


def amendments_apply(rules: RollRules) -> int:
    """Apply again, in the order they were decided, the upheld claims and objections of
    the election to a roll just drawn: a decision holds until another one changes it."""
    upheld = list(RollClaim.objects.filter(election_id=rules.election_id,
                                           outcome=RollClaim.Outcome.UPHELD)
                  .order_by("decided_at", "pk"))
    for claim in upheld:
        amendment_apply(rules, claim)
    return len(upheld)


def roll_version_copy(*, by: Actor, election: Election, frozen: RollRules,
                      why: str) -> RollRules:
    """A new version of the roll, the same rules and entries as ``frozen``, drawn and not
    frozen: for an amendment after freezing. Both versions are kept. Call inside the
    caller's transaction, holding the lock on ``frozen``."""
    now = timezone.now()
    newer = RollRules.objects.create(
        election=election, version=frozen.version + 1, rules=frozen.rules, created_at=now,
        created_by=by if isinstance(by, User) else None, evaluated_at=now)
    # One statement in the database: 650,000 entries never pass through Python.
    table = connection.ops.quote_name(RollEntry._meta.db_table)
    columns = "election_id, user_id, membership_id, section, branch_id, eligible, reason, " \
              "reason_code"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (rules_id, {columns}) "  # noqa: S608 (no input)
                       f"SELECT %s, {columns} FROM {table} WHERE rules_id = %s ORDER BY id",
                       [newer.pk, frozen.pk])
    audit_append(election=election, action="roll_version_made", by=by, details={
        "from_version": frozen.version, "version": newer.version, "why": why})
    return newer


@dataclass(frozen=True)
class OpenChallenges:
    """What stands in the way of freezing: open claims, objections and vetting appeals."""

    claims: int
    objections: int
    appeals: int

    def __bool__(self) -> bool:
        return bool(self.claims or self.objections or self.appeals)

    def sentence(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return (f"{n(self.claims, 'claim')}, {n(self.objections, 'objection')} and "
                f"{n(self.appeals, 'vetting appeal')}")


def roll_open_challenges(election: Election) -> OpenChallenges:
    """Open claims and objections of the election, and vetting appeals still pending of
    people with a membership in its area (whatever their status)."""
    open_claims = dict(RollClaim.objects.filter(election=election,
                                                outcome=RollClaim.Outcome.OPEN)
                       .order_by().values_list("kind").annotate(n=Count("pk")))
    memberships = Membership.objects.all()
    if election.body.parent_id is not None:
        within = bodies_within([election.body])
        memberships = memberships.filter(Q(branch_id__in=within) | Q(constituency_id__in=within))
    appeals = Appeal.objects.filter(outcome=Appeal.Outcome.PENDING,
                                    membership__in=memberships).count()
    return OpenChallenges(open_claims.get(RollClaim.Kind.CLAIM, 0),
                          open_claims.get(RollClaim.Kind.OBJECTION, 0), appeals)


def _sha256(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


def roll_freeze(*, by: Actor, election: Election) -> RollRules:
    """Freeze the drawn roll and its rules, recording the SHA-256 of each.

    Raises:
        Conflict: the roll is not drawn, or frozen already; or claims, objections or
            vetting appeals of people in the electorate are open (the message says
            how many of each).
    """
    check_runs(by, election)
    current = current_rules(election)
    if current is None or current.evaluated_at is None:
        raise Conflict("Draw the roll before freezing it.", code="roll_not_drawn")
    with transaction.atomic():
        # Lodging a claim takes this lock too: none slips in between the count and the freeze.
        RollRules.objects.select_for_update().filter(pk=current.pk).first()
        waiting = roll_open_challenges(election)
        if waiting:
            raise Conflict(f"The roll cannot be frozen while {waiting.sentence()} are open. "
                           "Decide them first.", code="challenges_open")
        entries = list(current.entries.order_by("user_id")
                       .values_list("user_id", "section", "eligible"))
        updated = RollRules.objects.filter(pk=current.pk, frozen_at__isnull=True).update(
            frozen_at=timezone.now(), rules_sha256=_sha256(current.rules),
            roll_sha256=_sha256(entries))
        if not updated:
            raise Conflict("This roll is frozen already.", code="roll_frozen")
        current.refresh_from_db()
        audit_append(election=election, action="roll_frozen", by=by, details={
            "version": current.version, "rules_sha256": current.rules_sha256,
            "roll_sha256": current.roll_sha256, "entries": len(entries),
            "on_roll": sum(1 for e in entries if e[2])})
    return current


def current_roll(election: Election) -> Any:
    """The entries of the current version of the roll."""
    current = current_rules(election)
    return RollEntry.objects.none() if current is None else current.entries.all()


@dataclass(frozen=True)
class RollFigures:
    rules: RollRules | None
    by_section: list[dict[str, Any]]
    by_reason: list[dict[str, Any]]
    by_branch: list[dict[str, Any]]


def roll_figures(*, by: Actor, election: Election) -> RollFigures:
    """Counts by section, by branch and by reason (the rule that decided, in a word: the
    reasons themselves hold each person's dates), for the returning officer and scrutineers."""
    check_watches(by, election)
    entries = current_roll(election)
    by_section = list(entries.values("section").annotate(
        on_roll=Count("pk", filter=Q(eligible=True)),
        off_roll=Count("pk", filter=Q(eligible=False)),
        voted=Count("pk", filter=Q(voted_on__isnull=False))).order_by("section"))
    by_reason = [{"reason": eligibility.REASON_WORDS.get(row["reason_code"],
                                                         "Drawn before reasons were counted"),
                  "on_roll": row["eligible"], "n": row["n"]}
                 for row in entries.values("reason_code", "eligible")
                 .annotate(n=Count("pk")).order_by("-eligible", "-n", "reason_code")]
    by_branch = list(entries.values("branch__name").annotate(
        on_roll=Count("pk", filter=Q(eligible=True)),
        off_roll=Count("pk", filter=Q(eligible=False)),
        voted=Count("pk", filter=Q(voted_on__isnull=False))).order_by("branch__name"))
    return RollFigures(current_rules(election), by_section, by_reason, by_branch)


@dataclass(frozen=True)
class MyPlace:
    on_roll: bool
    reason: str
    drawn: bool  # False: the roll is not drawn yet; the reason is today's answer
    voted: bool
    entry: RollEntry | None


def roll_my_place(*, user: User, election: Election) -> MyPlace:
    """Where ``user`` stands (for their own "Can I vote?" page only)."""
    entry = current_roll(election).filter(user=user).first()
    if entry is not None:
        return MyPlace(entry.eligible, entry.reason, True, entry.voted_on is not None, entry)
    current = current_rules(election)
    memberships = list(_memberships(election, user)) if current else []
    if current is None:
        return MyPlace(False, "The returning officer has not published the rules yet.",
                       False, False, None)
    if current.evaluated_at is not None:
        return MyPlace(False, "You are not on the roll: you held no membership in this "
                       "election's area when it was drawn.", True, False, None)
    if not memberships:
        return MyPlace(False, "You hold no membership in this election's area.", False,
                       False, None)
    _, decision = decide(eligibility.parse(current.rules), memberships,
                         today=timezone.localdate())
    return MyPlace(decision.eligible, decision.reason, False, False, None)


@dataclass(frozen=True)
class Difference:
    user_id: int
    name: str
    before: str  # "in", "out" or "" (not on that version)
    after: str
    reason: str  # the reason under the newer version (or the older, if gone)
    before_section: str = ""
    after_section: str = ""


def roll_differences(*, by: Actor, election: Election, limit: int = 200
                     ) -> tuple[RollRules | None, RollRules | None, list[Difference]]:
    """The people whose place differs between the last two versions of the roll.

    Both versions are kept; this is what changed from the older to the newer:
    people added, removed, moved in or out, or moved to another section. For the
    officers only.
    """
    check_watches(by, election)
    versions = list(election.rule_sets.order_by("-version")[:2])
    if len(versions) < 2:
        return (versions[0] if versions else None), None, []
    newer, older = versions

    def places(rules: RollRules) -> dict[int, tuple[str, str, str, str]]:
        return {u: ("in" if ok else "out", section, reason, f"{first or ''} {last or ''}".strip())
                for u, ok, section, reason, first, last in rules.entries.values_list(
                    "user_id", "eligible", "section", "reason", "membership__first_name",
                    "membership__last_name")}

    before, after = places(older), places(newer)
    found = []
    for user_id in sorted(set(before) | set(after)):
        was, now = before.get(user_id), after.get(user_id)
        if was is not None and now is not None and was[:2] == now[:2]:
            continue
        latest = now or was
        assert latest is not None
        found.append(Difference(user_id, latest[3], was[0] if was else "",
                                now[0] if now else "", latest[2],
                                was[1] if was else "", now[1] if now else ""))
        if len(found) >= limit:
            break
    return newer, older, found
