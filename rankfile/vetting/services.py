"""Vetting's rules: decisions and appeals, checks that raise flags, duplicates and
unions' lists.

Each service checks ``vetting.access`` and everything else before writing
anything, and owns its transaction. Decisions are logged one ``Decision`` row
per application, also in bulk. Nothing here rejects, merges or accepts on its
own: the checks only flag, for a person to decide.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import dateformat, timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.membership.models import (
    AffiliatedUnion,
    Category,
    Membership,
    Payment,
    RecordAccess,
)
from rankfile.membership.services.mail import member_mail
from rankfile.membership.services.records import record_access_log
from rankfile.membership.services.refunds import refund_rejected_applicant
from rankfile.membership.services.status import membership_set_status
from rankfile.vetting import matching
from rankfile.vetting.access import (
    can_decide_appeal,
    can_keep_lists,
    can_vet_membership,
    check_vets,
)
from rankfile.vetting.models import (
    Appeal,
    Decision,
    DuplicatePair,
    ExclusionEntry,
    Flag,
    ReasonCode,
    UnionListEntry,
)
from rankfile.vetting.reasons import plain_words

S = Membership.Status
V = Membership.Vetting
# Applications that wait for vetting: not ended, not decided.
OPEN_STATUSES = (S.APPLIED, S.ACTIVE, S.IN_ARREARS)


def vetting_record_access(*, by: Actor, membership: Membership, why: str) -> None:
    """The hook where the access log is written: staff saw ``membership``'s record.

    Every vetting page that shows an applicant's record calls it once per
    person shown in detail; auditors read it at ``/officers/access-log/``.
    """
    record_access_log(by=by, action=RecordAccess.Action.VIEW, purpose=why, allowed=True,
                      reference=membership.reference, membership_id=membership.pk)


def _clean_text(text: str, *, field_name: str, limit: int, what: str,
                required: bool = False) -> str:
    text = (text or "").strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c not in "\n\r\t"
           for c in text):
        raise Refusal(f"The {what} contains characters that cannot be read. Type it again.",
                      code="unreadable", field=field_name)
    if required and not text:
        raise Refusal(f"Write the {what}.", code="required", field=field_name)
    if len(text) > limit:
        raise Refusal(f"Keep the {what} to {limit} characters or fewer.", code="too_long",
                      field=field_name)
    return text


# -- the queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    category: str = ""  # a Category.Kind
    body: int | None = None  # a region, constituency or branch id
    flag: str = ""  # a Flag.Kind, or "any", or "none"
    older_than_days: int | None = None


def vetting_queue(*, by: Actor, filters: QueueFilter | None = None,
                  now: dt.datetime | None = None) -> QuerySet[Membership]:
    """The applications waiting for ``by`` to vet, oldest first.

    Raises:
        PermissionRefused: ``by`` vets nothing.
    """
    scope = check_vets(by)
    f = filters or QueueFilter()
    qs = Membership.objects.filter(scope, vetting=V.PENDING, status__in=OPEN_STATUSES)
    if f.category:
        # The id, not a join: the count then reads the queue's index alone.
        category = Category.objects.filter(kind=f.category).values_list("pk", flat=True).first()
        qs = qs.filter(category_id=category) if category is not None else qs.none()
    if f.body:
        from rankfile.accounts.roles import bodies_within
        from rankfile.branches.models import Body

        within = bodies_within(Body.objects.filter(pk=f.body))
        qs = qs.filter(Q(branch_id__in=within) | Q(constituency_id__in=within))
    # EXISTS rather than a join: no DISTINCT over 183,000 rows to page through.
    flagged = Flag.objects.filter(membership=OuterRef("pk"))
    if f.flag == "any":
        qs = qs.filter(Exists(flagged))
    elif f.flag == "none":
        qs = qs.filter(~Exists(flagged))
    elif f.flag:
        qs = qs.filter(Exists(flagged.filter(kind=f.flag)))
    if f.older_than_days:
        qs = qs.filter(applied_at__lte=(now or timezone.now()) - dt.timedelta(days=f.older_than_days))
    return qs.select_related("category", "branch", "constituency").order_by("applied_at", "pk")


# -- decisions ------------------------------------------------------------------------------


def _lock_pending(membership: Membership) -> Membership:
    current = Membership.objects.select_for_update().select_related("user", "category").get(
        pk=membership.pk)
    if current.vetting != V.PENDING:
        raise Conflict(f"Application {current.reference} was "
                       f"{current.get_vetting_display().lower()} already.", code="decided")
    if current.status not in OPEN_STATUSES:
        raise Conflict(f"Application {current.reference} is {current.get_status_display().lower()}"
                       ": there is nothing to vet.", code="not_open")
    return current


def vetting_approve(*, membership: Membership, by: Actor, note: str = "", bulk: bool = False,
                    now: dt.datetime | None = None) -> Decision:
    """Approve ``membership`` in vetting, logging who and why.

    An affiliated supporter is approved only once their union's list confirmed them.

    Raises:
        PermissionRefused: ``by`` is not staff over the applicant.
        Refusal: already decided, ended, unverified union membership, bad note.
    """
    if not can_vet_membership(by, membership):
        raise PermissionRefused("Only membership staff over this applicant can vet them.",
                                code="not_staff")
    note = _clean_text(note, field_name="note", limit=1000, what="note")
    now = now or timezone.now()
    with transaction.atomic():
        current = _lock_pending(membership)
        if (current.category.kind == Category.Kind.AFFILIATED_SUPPORTER
                and current.union_verified_at is None):
            raise Refusal(f"Application {current.reference} is from an affiliated supporter "
                          "whose union membership is not confirmed yet. Check it against the "
                          "union's list, or reject it.", code="union_unverified")
        Membership.objects.filter(pk=current.pk).update(vetting=V.APPROVED)
        membership.vetting = V.APPROVED
        return Decision.objects.create(membership=current, outcome=Decision.Outcome.APPROVED,
                                       note=note, by=by if isinstance(by, User) else None,
                                       at=now, bulk=bulk)


def appeal_deadline(decision: Decision) -> dt.datetime:
    return decision.at + dt.timedelta(days=settings.VETTING_APPEAL_DAYS)


def vetting_reject(*, membership: Membership, by: Actor, reason_code: str, note: str = "",
                   bulk: bool = False, now: dt.datetime | None = None) -> Decision:
    """Reject ``membership`` with a reason code: the applicant is e-mailed the reason in
    plain words (never the note) and the deadline to appeal, and what they paid is
    refunded (the refund is requested in the same transaction).

    Raises:
        PermissionRefused: ``by`` is not staff over the applicant.
        Refusal: no or unknown reason code, already decided, bad note, or a
            refund that cannot be made (Stripe not set up); nothing is written.
    """
    if not can_vet_membership(by, membership):
        raise PermissionRefused("Only membership staff over this applicant can vet them.",
                                code="not_staff")
    if reason_code not in ReasonCode.values:
        raise Refusal("Choose the reason for the rejection.", code="reason_required",
                      field="reason_code")
    note = _clean_text(note, field_name="note", limit=1000, what="note")
    now = now or timezone.now()
    with transaction.atomic():
        current = _lock_pending(membership)
        Membership.objects.filter(pk=current.pk).update(vetting=V.REJECTED)
        membership.vetting = V.REJECTED
        decision = Decision.objects.create(
            membership=current, outcome=Decision.Outcome.REJECTED, reason_code=reason_code,
            note=note, by=by if isinstance(by, User) else None, at=now, bulk=bulk)
        refund_rejected_applicant(membership=membership, by=by if isinstance(by, User) else None,
                                  now=now)
        member_mail(
            to=current.user.email, subject="Your application",
            template="emails/vetting_rejected.txt",
            context={"membership": current, "reason": plain_words(reason_code),
                     "deadline": dateformat.format(timezone.localtime(appeal_deadline(decision)),
                                                   "j F Y")},
            purpose="vetting_rejected", key=f"vetting_rejected:{decision.pk}")
        return decision


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def vetting_bulk(*, references: Sequence[str], by: Actor, outcome: str, reason_code: str = "",
                 note: str = "", now: dt.datetime | None = None) -> BulkResult:
    """Approve or reject many applications, each decided and logged on its own: one that
    is refused (decided meanwhile, outside ``by``'s bodies) is reported and the others go
    ahead.

    Raises:
        PermissionRefused: ``by`` vets nothing.
        Refusal: an unknown outcome, or a rejection without a reason.
    """
    scope = check_vets(by)
    if outcome not in Decision.Outcome.values:
        raise Refusal("Choose to approve or to reject.", code="outcome_required", field="outcome")
    if outcome == Decision.Outcome.REJECTED and reason_code not in ReasonCode.values:
        raise Refusal("Choose the reason for the rejection.", code="reason_required",
                      field="reason_code")
    note = _clean_text(note, field_name="note", limit=1000, what="note")
    result = BulkResult()
    found = {m.reference: m for m in Membership.objects.filter(scope, reference__in=list(references))}
    for reference in dict.fromkeys(references):
        membership = found.get(reference)
        if membership is None:
            result.refused.append((reference, "There is no application with that reference "
                                              "that you can vet."))
            continue
        try:
            if outcome == Decision.Outcome.APPROVED:
                vetting_approve(membership=membership, by=by, note=note, bulk=True, now=now)
            else:
                vetting_reject(membership=membership, by=by, reason_code=reason_code, note=note,
                               bulk=True, now=now)
        except Refusal as e:
            result.refused.append((reference, e.message))
        else:
            result.done.append(reference)
    return result


def latest_rejection(membership: Membership) -> Decision | None:
    return (Decision.objects.filter(membership=membership, outcome=Decision.Outcome.REJECTED)
            .order_by("-at", "-pk").first())


def appeal_lodge(*, membership: Membership, by: Actor, statement: str,
                 now: dt.datetime | None = None) -> Appeal:
    """The rejected applicant appeals, once, before the deadline.

    Raises:
        PermissionRefused: ``by`` is not the applicant.
        Refusal: not rejected, appealed already, past the deadline, no statement.
    """
    if not (isinstance(by, User) and by.pk == membership.user_id):
        raise PermissionRefused("Only the applicant can appeal.", code="not_yours")
    statement = _clean_text(statement, field_name="statement", limit=3000,
                            what="reason for your appeal", required=True)
    now = now or timezone.now()
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        rejection = latest_rejection(current)
        if current.vetting != V.REJECTED or rejection is None:
            raise Refusal("Your application was not rejected, so there is nothing to appeal.",
                          code="not_rejected")
        if Appeal.objects.filter(membership=current).exists():
            raise Conflict("You have appealed already; an application can be appealed once.",
                           code="appealed_already")
        deadline = appeal_deadline(rejection)
        if now > deadline:
            raise Refusal("The time to appeal ended on "
                          f"{dateformat.format(timezone.localtime(deadline), 'j F Y')}.",
                          code="appeal_too_late")
        return Appeal.objects.create(membership=current, rejection=rejection,
                                     statement=statement, lodged_at=now)


def appeal_decide(*, appeal: Appeal, by: Actor, uphold: bool, note: str = "",
                  now: dt.datetime | None = None) -> Decision:
    """Decide an appeal: uphold it (the application is approved) or dismiss it.

    Raises:
        PermissionRefused: ``by`` is not staff over the applicant, or is the
            person who rejected them (an appeal goes to someone else).
        Refusal: decided already; bad note.
    """
    if isinstance(by, User) and by.pk == appeal.rejection.by_id:
        raise PermissionRefused("You rejected this application, so another staff member must "
                                "decide the appeal.", code="same_person")
    if not can_decide_appeal(by, appeal):
        raise PermissionRefused("Only membership staff over this applicant can decide the "
                                "appeal.", code="not_staff")
    note = _clean_text(note, field_name="note", limit=1000, what="note")
    now = now or timezone.now()
    with transaction.atomic():
        current = Appeal.objects.select_for_update().select_related("membership__user").get(
            pk=appeal.pk)
        if current.outcome != Appeal.Outcome.PENDING:
            raise Conflict("This appeal was decided already.", code="decided")
        current.outcome = Appeal.Outcome.UPHELD if uphold else Appeal.Outcome.DISMISSED
        current.decided_by = by if isinstance(by, User) else None
        current.decided_at = now
        current.save(update_fields=("outcome", "decided_by", "decided_at"))
        membership = current.membership
        outcome = Decision.Outcome.APPROVED if uphold else Decision.Outcome.REJECTED
        if uphold:
            Membership.objects.filter(pk=membership.pk).update(vetting=V.APPROVED)
        decision = Decision.objects.create(
            membership=membership, outcome=outcome,
            reason_code="" if uphold else current.rejection.reason_code, note=note,
            by=current.decided_by, at=now, on_appeal=True)
        member_mail(to=membership.user.email, subject="Your appeal",
                    template="emails/vetting_appeal_decided.txt",
                    context={"membership": membership, "upheld": uphold},
                    purpose="vetting_appeal", key=f"vetting_appeal:{current.pk}")
        appeal.outcome, appeal.decided_by, appeal.decided_at = (
            current.outcome, current.decided_by, current.decided_at)
        return decision


# -- checks: the exclusion list, duplicates, unions -----------------------------------------


def _flag(membership_id: int, kind: str, key: str, explanation: str, now: dt.datetime) -> bool:
    _, created = Flag.objects.get_or_create(
        membership_id=membership_id, kind=kind, key=key[:100],
        defaults={"explanation": explanation[:500], "raised_at": now})
    return created


@dataclass
class CheckReport:
    checked: int = 0
    exclusion_flags: int = 0
    duplicate_pairs: int = 0
    union_verified: int = 0
    union_flags: int = 0


def people_for_matching(qs: QuerySet[Membership]) -> Iterable[matching.Person]:
    """The memberships of ``qs`` as the matching rules read them, with their card
    fingerprints; streamed, for a whole membership."""
    cards: dict[int, list[str]] = {}
    for mid, fp in (Payment.objects.filter(membership__in=qs, card_fingerprint__isnull=False)
                    .values_list("membership_id", "card_fingerprint")):
        if fp:
            cards.setdefault(mid, []).append(fp)
    for row in qs.values_list("id", "first_name", "last_name", "date_of_birth", "postcode",
                              "user__email").iterator(chunk_size=5000):
        yield matching.Person(row[0], row[1], row[2], row[3], row[4], row[5],
                              tuple(cards.get(row[0], ())))


def vetting_check(*, by: Actor, now: dt.datetime | None = None) -> CheckReport:
    """Check every application waiting for vetting against the exclusion list, every
    other membership (duplicates) and its union's list; flag what matches.

    Safe to run again: a match already flagged or paired is not flagged twice,
    and a pair staff decided stays decided.

    Raises:
        PermissionRefused: ``by`` is not national staff (nor the system).
    """
    if not can_keep_lists(by):
        raise PermissionRefused("Only national membership staff can run the checks.",
                                code="not_staff")
    now = now or timezone.now()
    report = CheckReport()
    pending = Membership.objects.filter(vetting=V.PENDING, status__in=OPEN_STATUSES)
    pending_rows = list(pending.values_list("id", "first_name", "last_name", "postcode",
                                            "address"))
    report.checked = len(pending_rows)
    index = matching.ExclusionIndex(
        matching.Listed(e.pk, e.name, e.postcode, e.address) for e in ExclusionEntry.objects.all())
    with transaction.atomic():
        existing = set(Flag.objects.filter(membership__in=pending)
                       .values_list("membership_id", "kind", "key"))
        flags: dict[tuple[int, str, str], str] = {}
        for mid, first, last, postcode, address in pending_rows:
            for hit in index.match(mid, first, last, postcode, address):
                flags[(mid, Flag.Kind.EXCLUSION, f"{hit.rule}:{hit.entry}")] = hit.explanation
        report.exclusion_flags = sum(1 for k in flags if k not in existing)
        pending_ids = {row[0] for row in pending_rows}
        everyone = Membership.objects.exclude(status=S.EXPIRED)
        matches = matching.find_duplicates(people_for_matching(everyone), among=pending_ids)
        known = set(DuplicatePair.objects.values_list("first_id", "second_id"))
        new = [p for p in matches if (p.first, p.second) not in known]
        references = dict(Membership.objects.filter(
            pk__in={i for p in new for i in (p.first, p.second)}).values_list("pk", "reference"))
        DuplicatePair.objects.bulk_create(
            [DuplicatePair(first_id=p.first, second_id=p.second, rules=",".join(p.rules),
                           explanation=matching.explain(p.rules), found_at=now) for p in new],
            batch_size=2000, ignore_conflicts=True)
        for p in new:
            explanation = matching.explain(p.rules)[:-1]
            for mid, other in ((p.first, p.second), (p.second, p.first)):
                flags[(mid, Flag.Kind.DUPLICATE, pair_key(p.first, p.second))] = (
                    f"{explanation} as {references[other]}.")
        report.duplicate_pairs = len(new)
        Flag.objects.bulk_create(
            [Flag(membership_id=mid, kind=kind, key=key[:100], explanation=text[:500],
                  raised_at=now) for (mid, kind, key), text in flags.items()
             if (mid, kind, key) not in existing],
            batch_size=2000, ignore_conflicts=True)
        for mid in (pending.filter(category__kind=Category.Kind.AFFILIATED_SUPPORTER,
                                   union_verified_at__isnull=True)
                    .values_list("pk", flat=True)):
            outcome = _union_check(Membership.objects.select_related("union").get(pk=mid), now)
            if outcome.verified:
                report.union_verified += 1
            elif outcome.flagged:
                report.union_flags += 1
    return report


def pair_key(first: int, second: int) -> str:
    """The key of the flags a duplicate pair raised on both memberships."""
    return f"pair:{first}:{second}"


def duplicate_list(*, by: Actor, status: str = DuplicatePair.Status.OPEN
                   ) -> QuerySet[DuplicatePair]:
    scope = check_vets(by)
    visible = Membership.objects.filter(scope)
    return (DuplicatePair.objects.filter(status=status, first__in=visible, second__in=visible)
            .select_related("first", "second", "first__category", "second__category"))


def _decide_pair(pair: DuplicatePair, by: Actor) -> DuplicatePair:
    for m in (pair.first, pair.second):
        if not can_vet_membership(by, m):
            raise PermissionRefused("Only membership staff over both people can decide a pair.",
                                    code="not_staff")
    current = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if current.status != DuplicatePair.Status.OPEN:
        raise Conflict("This pair was decided already.", code="decided")
    return current


def duplicate_mark_distinct(*, pair: DuplicatePair, by: Actor,
                            now: dt.datetime | None = None) -> DuplicatePair:
    """Staff say the pair are two people: the pair is closed and its flags cleared."""
    with transaction.atomic():
        current = _decide_pair(pair, by)
        current.status = DuplicatePair.Status.DISTINCT
        current.decided_by = by if isinstance(by, User) else None
        current.decided_at = now or timezone.now()
        current.save(update_fields=("status", "decided_by", "decided_at"))
        Flag.objects.filter(kind=Flag.Kind.DUPLICATE,
                            key=pair_key(current.first_id, current.second_id)).delete()
        return current


def duplicate_merge(*, pair: DuplicatePair, by: Actor, keep: int,
                    now: dt.datetime | None = None) -> Membership:
    """Merge a pair: ``keep`` (the id of one of the two) stays; the other ends as
    resigned, with "merged into" as the reason in its status history. Nothing is
    deleted: both histories, payments and decisions stay, and the pair records
    which was kept.

    Raises:
        PermissionRefused: ``by`` is not staff over both.
        Refusal: ``keep`` is neither, the pair is decided, or the other has ended.
    """
    if keep not in (pair.first_id, pair.second_id):
        raise Refusal("Choose which of the two memberships to keep.", code="keep_required",
                      field="keep")
    now = now or timezone.now()
    with transaction.atomic():
        current = _decide_pair(pair, by)
        drop_id = current.second_id if keep == current.first_id else current.first_id
        kept = Membership.objects.select_for_update().get(pk=keep)
        dropped = Membership.objects.select_for_update().get(pk=drop_id)
        if dropped.status not in (S.APPLIED, S.ACTIVE, S.IN_ARREARS, S.SUSPENDED):
            raise Refusal(f"Membership {dropped.reference} has ended already "
                          f"({dropped.get_status_display().lower()}); mark the pair as "
                          "different people or keep that one.", code="ended")
        membership_set_status(membership=dropped, status=S.RESIGNED, by=by, at=now,
                              reason=f"Merged into {kept.reference}: the same person")
        if dropped.vetting == V.PENDING:
            Membership.objects.filter(pk=dropped.pk).update(vetting=V.REJECTED)
            Decision.objects.create(membership=dropped, outcome=Decision.Outcome.REJECTED,
                                    reason_code=ReasonCode.DUPLICATE,
                                    note=f"Merged into {kept.reference}",
                                    by=by if isinstance(by, User) else None, at=now)
        current.status = DuplicatePair.Status.MERGED
        current.decided_by = by if isinstance(by, User) else None
        current.decided_at = now
        current.explanation = (current.explanation + f" Kept {kept.reference}.")[:500]
        current.save(update_fields=("status", "decided_by", "decided_at", "explanation"))
        Flag.objects.filter(kind=Flag.Kind.DUPLICATE,
                            key=pair_key(current.first_id, current.second_id)).delete()
        return kept


# -- the exclusion list ---------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str


class BadFile(Refusal):
    """A CSV with errors: nothing was imported; ``errors`` says which rows."""

    code = "bad_file"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"The file has {len(errors)} error{'s' if len(errors) != 1 else ''}; "
                         "nothing was imported. Correct the rows listed and upload it again.",
                         field="file")
        self.errors = errors


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _read_csv(data: bytes, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refusal("The file is larger than 5 MB. Split it into smaller files.",
                      code="too_large", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refusal("The file is not in UTF-8. Save it as CSV UTF-8 and upload it again.",
                      code="encoding", field="file") from None
    if "\x00" in text:
        raise Refusal("The file contains NUL characters: it is not a CSV file.",
                      code="not_csv", field="file")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise Refusal(f"The first line must name the columns {', '.join(columns)}; "
                      f"{', '.join(missing)} is missing.", code="header", field="file")
    reader.fieldnames = header
    rows = []
    for n, row in enumerate(reader, start=2):
        rows.append((n, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}))
    return rows


def _unreadable(value: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in value)


def exclusion_import(*, by: Actor, data: bytes, now: dt.datetime | None = None) -> int:
    """Add the people of a CSV (columns ``name``, ``address``, ``postcode``, ``note``)
    to the exclusion list; returns how many. A file with any bad row adds nothing.

    Raises:
        PermissionRefused: ``by`` is not national staff.
        BadFile: rows with errors, each by number and field.
        Refusal: not a readable CSV.
    """
    if not can_keep_lists(by):
        raise PermissionRefused("Only national membership staff can keep the exclusion list.",
                                code="not_staff")
    rows = _read_csv(data, ("name",))
    errors: list[RowError] = []
    entries = []
    now = now or timezone.now()
    for n, row in rows:
        name, address = row.get("name", ""), row.get("address", "")
        postcode, note = row.get("postcode", ""), row.get("note", "")
        for fname, value, limit in (("name", name, 200), ("address", address, 300),
                                    ("postcode", postcode, 8), ("note", note, 300)):
            if _unreadable(value):
                errors.append(RowError(n, fname, "contains characters that cannot be read"))
            elif len(value) > limit:
                errors.append(RowError(n, fname, f"is longer than {limit} characters"))
        if not matching.full_name_key(name):
            errors.append(RowError(n, "name", "is empty: give the person's name"))
        entries.append(ExclusionEntry(
            name=name, address=address, postcode=matching.normalise_postcode(postcode), note=note,
            name_key=matching.full_name_key(name)[:200],
            postcode_key=matching.normalise_postcode(postcode),
            address_key=matching.normalise_address(address)[:300],
            added_by=by if isinstance(by, User) else None, added_at=now))
    if errors:
        raise BadFile(errors)
    if not entries:
        raise Refusal("The file has no rows below its header.", code="empty", field="file")
    ExclusionEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def exclusion_remove(*, by: Actor, entry: ExclusionEntry) -> None:
    """Remove an entry; the flags it raised stay in the history of the applications."""
    if not can_keep_lists(by):
        raise PermissionRefused("Only national membership staff can keep the exclusion list.",
                                code="not_staff")
    entry.delete()


# -- unions' lists --------------------------------------------------------------------------


def union_list_import(*, by: Actor, union: AffiliatedUnion, data: bytes,
                      now: dt.datetime | None = None) -> CheckReport:
    """Replace ``union``'s list with a CSV (columns ``number``, ``surname``), then check
    the union's affiliated supporters waiting for vetting against it. A file with any
    bad row changes nothing.

    Raises:
        PermissionRefused: ``by`` is not national staff.
        BadFile: rows with errors (empty or too long fields, a number twice).
        Refusal: not a readable CSV, or no rows.
    """
    if not can_keep_lists(by):
        raise PermissionRefused("Only national membership staff can keep unions' lists.",
                                code="not_staff")
    rows = _read_csv(data, ("number", "surname"))
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    now = now or timezone.now()
    entries = []
    for n, row in rows:
        number, surname = row.get("number", ""), row.get("surname", "")
        norm = matching.normalise_number(number)
        for fname, value, limit in (("number", number, 40), ("surname", surname, 100)):
            if _unreadable(value):
                errors.append(RowError(n, fname, "contains characters that cannot be read"))
            elif not value:
                errors.append(RowError(n, fname, f"is empty: give the member's {fname}"))
            elif len(value) > limit:
                errors.append(RowError(n, fname, f"is longer than {limit} characters"))
        if norm and norm in seen:
            errors.append(RowError(n, "number", f"{number} is on row {seen[norm]} already"))
        elif norm:
            seen[norm] = n
        entries.append(UnionListEntry(union=union, number=norm[:40], surname=surname[:100],
                                      surname_key=matching.normalise_name(surname)[:100],
                                      uploaded_at=now))
    if errors:
        raise BadFile(errors)
    if not entries:
        raise Refusal("The file has no rows below its header.", code="empty", field="file")
    report = CheckReport()
    with transaction.atomic():
        UnionListEntry.objects.filter(union=union).delete()
        UnionListEntry.objects.bulk_create(entries, batch_size=1000)
        for m in (Membership.objects.select_related("union")
                  .filter(union=union, vetting=V.PENDING, union_verified_at__isnull=True,
                          status__in=OPEN_STATUSES)):
            report.checked += 1
            outcome = _union_check(m, now)
            report.union_verified += outcome.verified
            report.union_flags += outcome.flagged
    return report


@dataclass(frozen=True)
class UnionOutcome:
    verified: bool
    flagged: bool
    message: str


def _union_check(membership: Membership, now: dt.datetime) -> UnionOutcome:
    union = membership.union
    if union is None:
        message = "No union was given with this affiliated supporter's application."
    elif not UnionListEntry.objects.filter(union=union).exists():
        return UnionOutcome(False, False, f"{union.name} has not sent its list yet.")
    else:
        number = matching.normalise_number(membership.union_number)
        entry = UnionListEntry.objects.filter(union=union, number=number).first()
        if entry is None:
            message = (f"Membership number {membership.union_number or '(none given)'} is not on "
                       f"{union.name}'s list.")
        elif entry.surname_key != matching.normalise_name(membership.last_name):
            message = (f"{union.name}'s list has number {membership.union_number} under another "
                       f"surname ({entry.surname}), not {membership.last_name}.")
        else:
            Membership.objects.filter(pk=membership.pk).update(union_verified_at=now)
            membership.union_verified_at = now
            return UnionOutcome(True, False, f"Confirmed by {union.name}'s list.")
    flagged = _flag(membership.pk, Flag.Kind.UNION, "union", message, now)
    return UnionOutcome(False, flagged, message)


def union_verify(*, membership: Membership, by: Actor,
                 now: dt.datetime | None = None) -> UnionOutcome:
    """Check one affiliated supporter against their union's list now.

    Raises:
        PermissionRefused: ``by`` is not staff over the applicant.
        Refusal: not an affiliated supporter; the mismatch, in plain words.
    """
    if not can_vet_membership(by, membership):
        raise PermissionRefused("Only membership staff over this applicant can vet them.",
                                code="not_staff")
    if membership.category.kind != Category.Kind.AFFILIATED_SUPPORTER:
        raise Refusal("Only affiliated supporters are checked against a union's list.",
                      code="not_affiliated")
    with transaction.atomic():
        outcome = _union_check(membership, now or timezone.now())
    if not outcome.verified:
        raise Refusal(outcome.message, code="union_mismatch")
    return outcome

