"""Nominations: members propose, bodies decide, nominees consent, the list is validated.

- The returning officer sets the period and the thresholds (``nomination_rules_set``):
  a number and/or a share of the body's members in good standing, of its branches,
  or of the affiliated unions, combined "either" or "all" (``threshold_judge``).
- A member of the body in good standing nominates a member of the body
  (``nomination_make``), at most as many as there are seats.
- The returning officer or staff enter a branch's or an affiliate's decision, with
  its date and vote (``body_nomination_enter``).
- The nominee accepts or declines, with a statement (``nominee_consent``).
- After the deadline the returning officer confirms the validated list
  (``nominations_confirm``): consented nominees who meet the thresholds become the
  ballot's candidates, and the audit log records it.

Nothing about nominations changes after the deadline, nor once the list is
confirmed. Nominators' names are never published: the public list shows how
many members nominated each candidate, and each body's decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.accounts.roles import bodies_within
from rankfile.branches.models import Body
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.core.text import is_unreadable, refuse_bidi_controls
from rankfile.elections.access import (
    check_enters_decisions,
    check_reads_nominations,
    check_runs,
)
from rankfile.elections.models import (
    BodyNomination,
    Candidate,
    Election,
    MemberNomination,
    NominationRules,
    Nominee,
)
from rankfile.elections.services.audit import audit_append
from rankfile.membership.models import GOOD_STANDING, AffiliatedUnion, Category, Membership
from rankfile.membership.services.references import clean_reference
from rankfile.outbox.services import outbox_enqueue

KINDS = ("members", "branches", "affiliates")
NOUNS = {"members": ("member", "members"), "branches": ("branch", "branches"),
         "affiliates": ("affiliate", "affiliates")}
MAX_SHARE = Decimal(100)
# A statement's length limit may be set up to this many characters.
STATEMENT_LIMIT = 10_000
RECORD_MAX = 300


# -- the threshold rule (pure) --------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """At least ``number`` nominations of ``kind`` and at least ``share`` per cent of the
    possible nominators of that kind (each only if set)."""

    kind: str
    number: int | None = None
    share: Decimal | None = None

    def needed(self, base: int) -> int:
        """How many nominations meet this threshold when ``base`` could nominate (at least 1)."""
        by_share = math.ceil(self.share * base / 100) if self.share is not None else 0
        return max(1, self.number or 0, by_share)

    def describe(self, base: int) -> str:
        """How ``needed`` came about, when a share is in it ("" for a plain number)."""
        if self.share is None:
            return ""
        share = f"{_pct(self.share)}% of the {base} {NOUNS[self.kind][1]}"
        return f" (at least {self.number}, and {share})" if self.number else f" ({share})"


def _pct(share: Decimal) -> str:
    return f"{share.normalize():f}"


def _count(n: int, kind: str) -> str:
    one, many = NOUNS[kind]
    return f"{n} {one if n == 1 else many}"


def thresholds_of(rules: NominationRules) -> list[Threshold]:
    found = []
    for kind in KINDS:
        number = getattr(rules, f"{kind}_number")
        share = getattr(rules, f"{kind}_share")
        if number is not None or share is not None:
            found.append(Threshold(kind, number, None if share is None else Decimal(share)))
    return found


def threshold_judge(thresholds: list[Threshold], combine: str, counts: dict[str, int],
                    bases: dict[str, int]) -> tuple[bool, str]:
    """Whether ``counts`` of nominations meet the thresholds, and why, in plain words.

    With no threshold set, one nomination of any kind is enough. More nominations
    never turn a met threshold into an unmet one (the needed figures depend only on
    ``bases``).
    """
    total = sum(counts.get(k, 0) for k in KINDS)
    if not thresholds:
        if total >= 1:
            return True, "Nominated (the rules set no threshold)."
        return False, "Nobody has nominated them."
    lines = []
    met = []
    for t in thresholds:
        base = bases.get(t.kind, 0)
        needed = t.needed(base)
        have = counts.get(t.kind, 0)
        met.append(have >= needed)
        lines.append(f"{_count(have, t.kind)} of {needed} needed{t.describe(base)}")
    ok = any(met) if combine == NominationRules.Combine.EITHER else all(met)
    listed = "; ".join(lines)
    if ok:
        return True, f"Threshold met: {listed}."
    if len(thresholds) == 1:
        return False, f"Not enough nominations: {listed}."
    rule = "any one of these" if combine == NominationRules.Combine.EITHER else "all of these"
    return False, f"Not enough nominations: {listed}; {rule} must be met."


# -- the rules and the period ---------------------------------------------------------------


def nomination_rules_get(election: Election) -> NominationRules | None:
    return NominationRules.objects.filter(election=election).first()


def nominations_closed_because(election: Election, now: dt.datetime | None = None,
                               rules: NominationRules | None = None) -> str | None:
    """Why nominations cannot change now, in words; None while they are open."""
    now = now or timezone.now()
    rules = rules if rules is not None else nomination_rules_get(election)
    if election.status != Election.Status.NOMINATIONS:
        return "Nominations are over: the ballot has opened."
    if rules is None or election.nominations_open_at is None \
            or election.nominations_close_at is None:
        return "This election takes no nominations: the returning officer has not set a " \
               "nomination period."
    if rules.confirmed_at is not None:
        return "Nominations are over: the list of candidates is confirmed."
    if now < election.nominations_open_at:
        return (f"Nominations open on {_when(election.nominations_open_at)}. Come back "
                "then.")
    if now >= election.nominations_close_at:
        return f"Nominations closed on {_when(election.nominations_close_at)}."
    return None


def _when(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.day} {local:%B %Y at %H:%M}"


def _refuse_unless_open(election: Election, now: dt.datetime,
                        rules: NominationRules | None = None) -> NominationRules:
    why = nominations_closed_because(election, now, rules)
    if why is not None:
        raise Conflict(why, code="nominations_closed")
    found = rules or nomination_rules_get(election)
    assert found is not None
    return found


def nomination_rules_set(*, by: Actor, election: Election, opens_at: dt.datetime,
                         closes_at: dt.datetime, combine: str = "either",
                         statement_order: str = "fixed", statement_max_length: int = 2000,
                         members_number: int | None = None,
                         members_share: Decimal | None = None,
                         branches_number: int | None = None,
                         branches_share: Decimal | None = None,
                         affiliates_number: int | None = None,
                         affiliates_share: Decimal | None = None,
                         now: dt.datetime | None = None) -> NominationRules:
    """Set the nomination period and thresholds. Refused once the deadline has passed.

    Raises:
        PermissionRefused: ``by`` is not the returning officer.
        Conflict: the deadline has passed, the list is confirmed or the ballot opened.
        Refusal: a value out of range, naming its field.
    """
    check_runs(by, election)
    now = now or timezone.now()
    rules = nomination_rules_get(election)
    if election.status != Election.Status.NOMINATIONS:
        raise Conflict("Nominations are over: the ballot has opened.", code="nominations_closed")
    if rules is not None and rules.confirmed_at is not None:
        raise Conflict("The list of candidates is confirmed: the rules no longer change.",
                       code="nominations_closed")
    if election.nominations_close_at is not None and rules is not None \
            and now >= election.nominations_close_at:
        raise Conflict("The nomination deadline has passed: the rules no longer change.",
                       code="nominations_closed")
    if closes_at <= opens_at:
        raise Refusal("The nominations must close after they open.", code="bad_period",
                      field="closes_at")
    if closes_at <= now:
        raise Refusal("Set a deadline in the future.", code="bad_period", field="closes_at")
    if combine not in NominationRules.Combine.values:
        raise Refusal("Choose whether any one threshold is enough or all must be met.",
                      code="bad_combine", field="combine")
    if statement_order not in NominationRules.Order.values:
        raise Refusal("Choose the order statements are shown in.", code="bad_order",
                      field="statement_order")
    if not 1 <= statement_max_length <= STATEMENT_LIMIT:
        raise Refusal(f"Allow statements of 1 to {STATEMENT_LIMIT} characters.",
                      code="bad_length", field="statement_max_length")
    values = {"members_number": members_number, "members_share": members_share,
              "branches_number": branches_number, "branches_share": branches_share,
              "affiliates_number": affiliates_number, "affiliates_share": affiliates_share}
    for name, value in values.items():
        if value is None:
            continue
        if name.endswith("_share") and not (0 < value <= MAX_SHARE):
            raise Refusal("A share is a percentage above 0 and at most 100.",
                          code="bad_share", field=name)
        if name.endswith("_number") and value < 1:
            raise Refusal("A number of nominations is at least 1; leave it blank for none.",
                          code="bad_number", field=name)
    with transaction.atomic():
        Election.objects.filter(pk=election.pk).update(nominations_open_at=opens_at,
                                                       nominations_close_at=closes_at)
        election.nominations_open_at, election.nominations_close_at = opens_at, closes_at
        rules, _ = NominationRules.objects.update_or_create(
            election=election, defaults={**values, "combine": combine,
                                         "statement_order": statement_order,
                                         "statement_max_length": statement_max_length,
                                         "updated_at": now})
        audit_append(election=election, action="nomination_rules_set", by=by, details={
            "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat(),
            "combine": combine, "statement_order": statement_order,
            "statement_max_length": statement_max_length,
            **{k: (None if v is None else str(v)) for k, v in values.items()}})
    return rules


# -- who may nominate and be nominated ------------------------------------------------------


def _body_scope(election: Election) -> Q:
    if election.body.parent_id is None:
        return Q()
    within = bodies_within([election.body])
    return Q(branch_id__in=within) | Q(constituency_id__in=within)


def members_in_good_standing(election: Election) -> QuerySet[Membership]:
    """The memberships that may nominate: members (not supporters) of the election's body,
    in good standing."""
    return Membership.objects.filter(_body_scope(election), category__kind=Category.Kind.MEMBER,
                                     status__in=GOOD_STANDING)


def branches_of(election: Election, on: dt.date | None = None) -> QuerySet[Body]:
    """The branches that may nominate: those within the body, existing on ``on``."""
    on = on or timezone.localdate()
    within = bodies_within([election.body])
    return (Body.objects.filter(pk__in=within, kind=Body.Kind.BRANCH, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))


def bases_of(election: Election) -> dict[str, int]:
    """How many could nominate, of each kind: the figures shares are taken of."""
    return {"members": members_in_good_standing(election).values("user_id").distinct().count(),
            "branches": branches_of(election).count(),
            "affiliates": AffiliatedUnion.objects.count()}


def is_member_of(user: Actor, election: Election) -> bool:
    return bool(user is not None and user.is_authenticated
                and members_in_good_standing(election).filter(user_id=user.pk).exists())


def _nominee_named(election: Election, reference: str) -> tuple[User, Membership]:
    ref = clean_reference(reference)
    found = (members_in_good_standing(election).filter(reference=ref)
             .select_related("user").first()) if ref else None
    if found is None:
        raise Refusal(f"No member of {election.body.name} in good standing has the reference "
                      f"“{reference.strip()[:20]}”. Ask the person you nominate for the "
                      "reference on their membership card.", code="no_such_member",
                      field="reference")
    return found.user, found


# -- nominating -----------------------------------------------------------------------------


def nomination_make(*, by: Actor, election: Election, reference: str = "",
                    nominee: Nominee | None = None,
                    now: dt.datetime | None = None) -> MemberNomination:
    """``by`` nominates the member with membership ``reference`` (or an existing nominee).

    The first nomination of a person makes them a nominee and asks their consent
    by e-mail. Holds the election's row until the transaction ends, so a member's
    count of nominations cannot be overrun by two requests at once.

    Raises:
        PermissionRefused: ``by`` is not a member of the body in good standing.
        Conflict: outside the nomination period.
        Refusal: no such member; themselves; already nominated by ``by``; ``by``
            already nominated as many as there are seats.
    """
    now = now or timezone.now()
    if not is_member_of(by, election):
        raise PermissionRefused(f"Only members of {election.body.name} in good standing "
                                "can nominate.", code="not_member")
    assert isinstance(by, User)
    _refuse_unless_open(election, now)
    if nominee is not None:
        if nominee.election_id != election.pk or nominee.consent == Nominee.Consent.DECLINED:
            raise Refusal("That person is not a nominee in this election.",
                          code="no_such_nominee", field="nominee")
        person = nominee.user
        if not is_member_of(person, election):
            raise Refusal(f"{nominee.name} is no longer a member of {election.body.name} in "
                          "good standing.", code="no_such_member", field="nominee")
        name = nominee.name
    else:
        person, membership = _nominee_named(election, reference)
        name = membership.full_name
    if person.pk == by.pk:
        raise Refusal("You cannot nominate yourself: ask other members to nominate you.",
                      code="self_nomination", field="reference")
    with transaction.atomic():
        Election.objects.select_for_update().filter(pk=election.pk).first()
        rules = nomination_rules_get(election)
        election.refresh_from_db(fields=("status",))
        _refuse_unless_open(election, now, rules)
        mine = MemberNomination.objects.filter(election=election, nominator=by)
        if mine.filter(nominee__user=person).exists():
            raise Refusal(f"You have already nominated {name}.", code="already_nominated",
                          field="reference")
        if mine.count() >= election.seats:
            raise Refusal(f"You have already nominated {_seats(election.seats)}: a member "
                          f"nominates at most as many candidates as there are seats "
                          f"({election.seats}).", code="too_many_nominations",
                          field="reference")
        target = Nominee.objects.filter(election=election, user=person).first()
        if target is None:
            target = Nominee.objects.create(election=election, user=person, name=name,
                                            created_at=now)
            _ask_consent(election, target)
        elif target.consent == Nominee.Consent.DECLINED:
            raise Refusal(f"{name} has declined nomination in this election.",
                          code="declined", field="reference")
        try:
            with transaction.atomic():
                return MemberNomination.objects.create(election=election, nominee=target,
                                                       nominator=by, made_at=now)
        except IntegrityError:
            raise Refusal(f"You have already nominated {name}.", code="already_nominated",
                          field="reference") from None


def _seats(n: int) -> str:
    return "one candidate" if n == 1 else f"{n} candidates"


def _ask_consent(election: Election, nominee: Nominee) -> None:
    from django.conf import settings

    body = (f"You have been nominated as a candidate in {election.title}.\n\n"
            "You count as a candidate only if you accept. Accept or decline, and write "
            f"your statement, at {settings.SITE_URL}/elections/{election.slug}/nominations/"
            "consent/ before nominations close"
            + (f" on {_when(election.nominations_close_at)}"
               if election.nominations_close_at else "") + ".\n")
    outbox_enqueue(to=nominee.user.email, subject=f"You are nominated: {election.title}",
                   body=body, purpose="nomination_consent",
                   key=f"nomination_consent:{election.pk}:{nominee.user_id}")


def nominee_consent(*, by: Actor, election: Election, accept: bool, statement: str = "",
                    now: dt.datetime | None = None) -> Nominee:
    """The nominee ``by`` accepts (with their statement) or declines, before the deadline.

    Raises:
        NotFound-like Refusal: ``by`` is not nominated in this election.
        Conflict: outside the nomination period.
        Refusal: the statement is empty, too long, or holds NUL or bidi controls.
    """
    now = now or timezone.now()
    nominee = nominee_mine(by=by, election=election)
    if nominee is None:
        raise PermissionRefused("Nobody has nominated you in this election.",
                                code="not_nominated")
    rules = _refuse_unless_open(election, now)
    statement = (statement or "").replace("\r\n", "\n").strip()
    if accept:
        if not statement:
            raise Refusal("Write your statement: members read it before they vote.",
                          code="required", field="statement")
        if len(statement) > rules.statement_max_length:
            raise Refusal(f"Your statement must be {rules.statement_max_length} characters or "
                          f"fewer (it has {len(statement)}).", code="too_long",
                          field="statement")
        refuse_bidi_controls(statement, field="statement", label="statement")
        if is_unreadable(statement):
            raise Refusal("Your statement contains characters that cannot be read (such as "
                          "a NUL character). Type it again.", code="unreadable",
                          field="statement")
    with transaction.atomic():
        updated = Nominee.objects.filter(pk=nominee.pk).update(
            consent=Nominee.Consent.ACCEPTED if accept else Nominee.Consent.DECLINED,
            consent_at=now, statement=statement if accept else "")
        assert updated == 1
    nominee.refresh_from_db()
    return nominee


def nominee_mine(*, by: Actor, election: Election) -> Nominee | None:
    if by is None or not by.is_authenticated:
        return None
    return Nominee.objects.filter(election=election, user_id=by.pk).first()


def nominations_of_member(*, by: Actor, election: Election) -> list[Nominee]:
    """The nominees ``by`` nominated in ``election`` (their own, never shown to others)."""
    if by is None or not by.is_authenticated:
        return []
    return list(Nominee.objects.filter(election=election, member_nominations__nominator_id=by.pk))


# -- bodies' decisions ----------------------------------------------------------------------


def body_nomination_enter(*, by: Actor, election: Election, kind: str, body_id: int,
                          nominee: Nominee, decided_on: dt.date, votes_for: int,
                          votes_against: int, abstentions: int = 0, record: str = "",
                          now: dt.datetime | None = None) -> BodyNomination:
    """Enter a branch's or an affiliate's decision to nominate ``nominee``.

    Raises:
        PermissionRefused: ``by`` is neither the returning officer nor staff.
        Conflict: outside the nomination period.
        Refusal: an unknown body, a decision dated outside the period or in the
            future, a vote that did not carry, a body that nominated them already or
            has nominated as many as there are seats.
    """
    check_enters_decisions(by, election)
    now = now or timezone.now()
    _refuse_unless_open(election, now)
    if nominee.election_id != election.pk:
        raise Refusal("Choose a nominee of this election.", code="no_such_nominee",
                      field="nominee")
    branch = union = None
    if kind == BodyNomination.Kind.BRANCH:
        branch = branches_of(election, timezone.localdate(now)).filter(pk=body_id).first()
        if branch is None:
            raise Refusal(f"Choose a branch of {election.body.name}.", code="no_such_body",
                          field="branch")
    elif kind == BodyNomination.Kind.AFFILIATE:
        union = AffiliatedUnion.objects.filter(pk=body_id).first()
        if union is None:
            raise Refusal("Choose one of the affiliated unions.", code="no_such_body",
                          field="union")
    else:
        raise Refusal("Choose whether a branch or an affiliate decided.", code="bad_kind",
                      field="kind")
    assert election.nominations_open_at is not None
    opened = timezone.localdate(election.nominations_open_at)
    if decided_on > timezone.localdate(now):
        raise Refusal("The decision's date is in the future: enter a decision once it is "
                      "taken.", code="bad_date", field="decided_on")
    if decided_on < opened:
        raise Refusal(f"The decision was taken before nominations opened on "
                      f"{_when(election.nominations_open_at)}: only decisions taken during "
                      "the nomination period count.", code="bad_date", field="decided_on")
    if min(votes_for, votes_against, abstentions) < 0:
        raise Refusal("Votes are counted in whole numbers from 0.", code="bad_votes",
                      field="votes_for")
    if votes_for <= votes_against:
        raise Refusal(f"With {votes_for} for and {votes_against} against, the decision to "
                      "nominate did not carry: it needs more votes for than against.",
                      code="not_carried", field="votes_for")
    record = " ".join((record or "").split())
    if len(record) > RECORD_MAX:
        raise Refusal(f"Describe the record in {RECORD_MAX} characters or fewer.",
                      code="too_long", field="record")
    refuse_bidi_controls(record, field="record", label="record")
    if is_unreadable(record):
        raise Refusal("The record contains characters that cannot be read. Type it again.",
                      code="unreadable", field="record")
    who = branch or union
    assert who is not None
    with transaction.atomic():
        Election.objects.select_for_update().filter(pk=election.pk).first()
        election.refresh_from_db(fields=("status",))
        _refuse_unless_open(election, now)
        same = BodyNomination.objects.filter(election=election, kind=kind,
                                             **({"branch": branch} if branch else {"union": union}))
        if same.filter(nominee=nominee).exists():
            raise Refusal(f"{who} has already nominated {nominee.name}.",
                          code="already_nominated", field="nominee")
        if same.count() >= election.seats:
            raise Refusal(f"{who} has already nominated {_seats(election.seats)}, as many as "
                          "there are seats.", code="too_many_nominations", field="nominee")
        entry = BodyNomination.objects.create(
            election=election, nominee=nominee, kind=kind, branch=branch, union=union,
            decided_on=decided_on, votes_for=votes_for, votes_against=votes_against,
            abstentions=abstentions, record=record, entered_at=now,
            entered_by=by if isinstance(by, User) else None)
        audit_append(election=election, action="body_nomination_entered", by=by, details={
            "kind": kind, "body": str(who), "nominee": nominee.name,
            "decided_on": decided_on.isoformat(), "votes_for": votes_for,
            "votes_against": votes_against, "abstentions": abstentions, "record": record})
    return entry


# -- validating -----------------------------------------------------------------------------


@dataclass
class NomineeResult:
    nominee: Nominee
    counts: dict[str, int]
    valid: bool
    reason: str
    decisions: list[BodyNomination] = field(default_factory=list)


def _results(election: Election, rules: NominationRules,
             bases: dict[str, int]) -> list[NomineeResult]:
    thresholds = thresholds_of(rules)
    members = Counter(MemberNomination.objects.filter(election=election)
                      .values_list("nominee_id", flat=True))
    decisions: dict[int, list[BodyNomination]] = {}
    for d in (BodyNomination.objects.filter(election=election)
              .select_related("branch", "union").order_by("decided_on", "pk")):
        decisions.setdefault(d.nominee_id, []).append(d)
    found = []
    for nominee in Nominee.objects.filter(election=election).order_by("name", "pk"):
        mine = decisions.get(nominee.pk, [])
        counts = {"members": members.get(nominee.pk, 0),
                  "branches": sum(d.kind == BodyNomination.Kind.BRANCH for d in mine),
                  "affiliates": sum(d.kind == BodyNomination.Kind.AFFILIATE for d in mine)}
        met, why = threshold_judge(thresholds, rules.combine, counts, bases)
        if nominee.consent == Nominee.Consent.DECLINED:
            valid, reason = False, f"Declined the nomination. {why}"
        elif nominee.consent != Nominee.Consent.ACCEPTED:
            valid, reason = False, f"Has not accepted the nomination. {why}"
        else:
            valid, reason = met, why
        found.append(NomineeResult(nominee, counts, valid, reason, mine))
    return found


def nominations_compute(*, by: Actor, election: Election) -> list[NomineeResult]:
    """Each nominee's nominations against the thresholds, as they stand now (or as
    confirmed), valid or not with the reason. For the returning officer, scrutineers
    and staff."""
    check_reads_nominations(by, election)
    rules = nomination_rules_get(election)
    if rules is None:
        return []
    bases = rules.bases if rules.confirmed_at else bases_of(election)
    return _results(election, rules, bases)


def nominations_confirm(*, by: Actor, election: Election,
                        now: dt.datetime | None = None) -> list[NomineeResult]:
    """Confirm the validated list, once the deadline has passed.

    Consented nominees who meet the thresholds become the ballot's candidates
    (a candidate of the same name already on the ballot is updated); the order of
    statements is fixed or drawn here, once; the audit log records the list, the
    figures and the seed.

    Raises:
        PermissionRefused: ``by`` is not the returning officer.
        Conflict: before the deadline, already confirmed, no rules, or the ballot open.
    """
    check_runs(by, election)
    now = now or timezone.now()
    rules = nomination_rules_get(election)
    if rules is None or election.nominations_close_at is None:
        raise Conflict("Set the nomination period and thresholds first.", code="no_rules")
    if election.status != Election.Status.NOMINATIONS:
        raise Conflict("Nominations are over: the ballot has opened.", code="nominations_closed")
    if now < election.nominations_close_at:
        raise Conflict(f"Nominations are open until {_when(election.nominations_close_at)}: "
                       "confirm the list after the deadline.", code="nominations_open")
    with transaction.atomic():
        Election.objects.select_for_update().filter(pk=election.pk).first()
        rules.refresh_from_db()
        if rules.confirmed_at is not None:
            raise Conflict("The list of candidates is already confirmed.",
                           code="already_confirmed")
        bases = bases_of(election)
        results = _results(election, rules, bases)
        valid = [r for r in results if r.valid]
        seed = secrets.token_hex(16) if rules.statement_order == NominationRules.Order.RANDOM \
            else ""
        by_surname = sorted(valid, key=lambda r: (_surname_key(r.nominee.name), r.nominee.pk))
        others = list(election.candidates.filter(nominee__isnull=True)
                      .exclude(name__in=[r.nominee.name for r in valid]))
        position = len(others)
        for r in by_surname:
            candidate = Candidate.objects.filter(election=election, name=r.nominee.name).first()
            if candidate is None:
                candidate = Candidate(election=election, name=r.nominee.name)
            candidate.statement, candidate.position, candidate.withdrawn = (
                r.nominee.statement, position, False)
            candidate.save()
            r.nominee.candidate = candidate
            position += 1
        if seed:
            ranked = sorted(valid, key=lambda r: _draw(seed, r.nominee.pk))
        else:
            ranked = by_surname
        ranks = {r.nominee.pk: n for n, r in enumerate(ranked)}
        for r in results:
            r.nominee.valid, r.nominee.reason, r.nominee.counts = r.valid, r.reason, r.counts
            r.nominee.statement_rank = ranks.get(r.nominee.pk)
            if not r.valid:
                r.nominee.candidate = None
            r.nominee.save(update_fields=("valid", "reason", "counts", "statement_rank",
                                          "candidate"))
        rules.confirmed_at, rules.bases, rules.order_seed = now, bases, seed
        rules.save(update_fields=("confirmed_at", "bases", "order_seed"))
        audit_append(election=election, action="nominations_confirmed", by=by, details={
            "bases": bases, "statement_order": rules.statement_order, "seed": seed,
            "order": [r.nominee.name for r in ranked],
            "nominees": [{"name": r.nominee.name, "valid": r.valid, "counts": r.counts,
                          "reason": r.reason} for r in results]})
    return results


def _surname_key(name: str) -> tuple[str, str]:
    parts = name.split()
    return ((parts[-1] if parts else "").casefold(), name.casefold())


def _draw(seed: str, pk: int) -> str:
    """A nominee's place in the random order: anyone with the seed (in the audit log)
    can recompute it."""
    return hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest()


# -- the public list ------------------------------------------------------------------------


@dataclass
class PublishedNominee:
    name: str
    statement: str
    members: int
    decisions: list[BodyNomination]


def nominations_published(election: Election) -> list[PublishedNominee] | None:
    """The validated list in the election's order of statements, with each candidate's
    nominations: members as a count, bodies each with its date and vote. None until the
    list is confirmed."""
    rules = nomination_rules_get(election)
    if rules is None or rules.confirmed_at is None:
        return None
    decisions: dict[int, list[BodyNomination]] = {}
    for d in (BodyNomination.objects.filter(election=election)
              .select_related("branch", "union").order_by("decided_on", "pk")):
        decisions.setdefault(d.nominee_id, []).append(d)
    valid = Nominee.objects.filter(election=election, valid=True).order_by("statement_rank", "pk")
    return [PublishedNominee(n.name, n.statement, int(n.counts.get("members", 0)),
                             decisions.get(n.pk, [])) for n in valid]


def candidates_in_statement_order(election: Election) -> QuerySet[Candidate]:
    """The candidates in the order their statements are shown: the order drawn at random
    when the list was confirmed, if the election says so; else ballot-paper order."""
    candidates = election.candidates.all()
    rules = nomination_rules_get(election)
    if rules is None or rules.confirmed_at is None \
            or rules.statement_order != NominationRules.Order.RANDOM:
        return candidates.order_by("position", "pk")
    return candidates.order_by(F("nominee__statement_rank").asc(nulls_last=True), "position",
                               "pk")


def nominations_summary(election: Election) -> dict[str, Any]:
    """What anyone may know of the nominations: the period, the rules and whether the list
    is confirmed (no names before it is)."""
    rules = nomination_rules_get(election)
    return {"rules": rules, "thresholds": thresholds_of(rules) if rules else [],
            "closed_because": nominations_closed_because(election, rules=rules)}
