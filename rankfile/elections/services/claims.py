"""Claims and objections to the electoral roll, and the returning officer's decisions.

A person whose entry is wrong (left off, or in the wrong section) lodges a
*claim* from their "Can I vote?" page; a person on the roll lodges an
*objection* to another's entry, naming it by membership reference. Both can be
lodged while the election is in nominations and the roll is drawn; freezing is
refused while any is open (``roll.roll_freeze``).

The returning officer decides each with a reason. An upheld one amends the
entry: on the current version if it is not frozen, else on a new version
copied from the frozen one (both are kept, and the manage page shows the
difference). The claim keeps the entry as it was and as it became, and every
later draw applies it again (``roll.amendments_apply``). The people concerned
are told by e-mail, and every step is in the audit log.

An objector learns nothing about a reference that is not on the roll: lodging
answers alike whether the reference is unknown, off the roll or on it, and
stores nothing for the first two (so nobody is ever told a decision about them).
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.elections.access import check_runs, check_watches
from rankfile.elections.models import Election, RollClaim, RollEntry, RollRules
from rankfile.elections.rules import CATEGORY_WORDS, day
from rankfile.elections.services.audit import audit_append
from rankfile.elections.services.roll import amendment_apply, roll_version_copy
from rankfile.elections.services.setup import current_rules
from rankfile.membership.models import Membership
from rankfile.outbox.services import outbox_enqueue

GROUNDS_LIMIT = 3000
REASON_LIMIT = 2000
REFERENCE_SHAPE = re.compile(r"^[A-Z0-9-]{1,12}$")
PURPOSE = "election_roll_claim"
K = RollClaim.Kind
OUT = RollClaim.Outcome


def _clean_text(text: object, *, field: str, what: str, limit: int) -> str:
    """``text`` stripped, or a Refusal: required, at most ``limit`` characters, and no
    character nobody types (controls, NUL, invisible direction marks)."""
    text = (text if isinstance(text, str) else "").strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c not in "\n\r\t"
           for c in text):
        raise Refusal(f"Your {what} contains characters that cannot be read or that "
                      "change the direction of the text invisibly. Type it again.",
                      code="unreadable", field=field)
    if not text:
        raise Refusal(f"Write your {what}.", code="required", field=field)
    if len(text) > limit:
        raise Refusal(f"Keep your {what} to {limit} characters or fewer.", code="too_long",
                      field=field)
    return text


def _lodging_rules(election: Election) -> RollRules:
    """The current version, locked until the transaction ends (so a freeze waits for a
    claim being lodged, and the other way round); or a Conflict saying why not now."""
    if election.status != Election.Status.NOMINATIONS:
        raise Conflict("Claims and objections close when the ballot opens: the roll is "
                       "fixed now.", code="roll_fixed")
    rules = current_rules(election)
    if rules is None or rules.evaluated_at is None:
        raise Conflict("The roll is not drawn yet: you can lodge a claim or an objection "
                       "once it is.", code="roll_not_drawn")
    return RollRules.objects.select_for_update().get(pk=rules.pk)


def claim_sections(election: Election) -> list[tuple[str, str]]:
    """The sections a claimant may name: the election's, or every category."""
    return [(s, CATEGORY_WORDS.get(s, s)) for s in (election.sections or CATEGORY_WORDS)]


def claim_lodge(*, by: Actor, election: Election, grounds: str, section: str = "") -> RollClaim:
    """``by`` says their own entry is wrong: they should be on the roll (in ``section``).

    Raises:
        PermissionRefused: not logged in.
        Refusal: grounds missing, too long or unreadable; a section not of the election.
        Conflict: not in nominations or the roll not drawn; they have a claim open
            already; they are on the roll in that section already.
    """
    if not isinstance(by, User):
        raise PermissionRefused("Log in to lodge a claim.", code="login")
    grounds = _clean_text(grounds, field="grounds", what="grounds", limit=GROUNDS_LIMIT)
    allowed = dict(claim_sections(election))
    if section and section not in allowed:
        raise Refusal(f"Choose one of the sections: {', '.join(allowed.values())}.",
                      code="bad_section", field="section")
    with transaction.atomic():
        rules = _lodging_rules(election)
        entry = rules.entries.filter(user=by).first()
        section = section or (entry.section if entry else "")
        if not section and election.sections:
            raise Refusal("Choose the section you claim a vote in.", code="no_section",
                          field="section")
        if entry is not None and entry.eligible and entry.section == section:
            raise Conflict("You are on the roll in that section already: there is nothing "
                           "to claim.", code="on_roll", field="section")
        if RollClaim.objects.filter(election=election, kind=K.CLAIM, person=by,
                                    outcome=OUT.OPEN).exists():
            raise Conflict("You have a claim waiting for the returning officer's decision "
                           "already.", code="claim_open")
        claim = RollClaim.objects.create(
            election=election, kind=K.CLAIM, person=by, lodged_by=by, section=section,
            grounds=grounds, lodged_at=timezone.now())
        audit_append(election=election, action="claim_lodged", by=by,
                     details={"claim": claim.pk, "rules_version": rules.version})
    return claim


def objection_lodge(*, by: Actor, election: Election, reference: str,
                    grounds: str) -> RollClaim | None:
    """``by``, on the roll, objects to the entry of the member with ``reference``.

    Returns the objection, or None when the reference is not on the roll (unknown,
    or off it): nothing is stored then, and the caller must answer exactly as when
    it is, so that an objector learns nothing about references off the roll. An
    objection already open from ``by`` to the same entry is returned again.

    Raises:
        PermissionRefused: ``by`` is not on the roll.
        Refusal: a reference not of the form of one, or grounds missing or unreadable.
        Conflict: not in nominations, or the roll not drawn.
    """
    if not isinstance(by, User):
        raise PermissionRefused("Log in to object to an entry.", code="login")
    plain = (reference if isinstance(reference, str) else "").strip().upper()
    if not REFERENCE_SHAPE.match(plain):
        raise Refusal("Give the membership reference of the entry, as printed on the "
                      "member's card (letters, digits and hyphens, e.g. RF-ABC123).",
                      code="bad_reference", field="reference")
    grounds = _clean_text(grounds, field="grounds", what="grounds", limit=GROUNDS_LIMIT)
    with transaction.atomic():
        rules = _lodging_rules(election)
        if not rules.entries.filter(user=by, eligible=True).exists():
            raise PermissionRefused("Only people on the roll can object to an entry.",
                                    code="not_on_roll")
        owner = Membership.objects.filter(reference=plain).values_list("user_id",
                                                                       flat=True).first()
        if owner is None or not rules.entries.filter(user_id=owner, eligible=True).exists():
            return None
        existing = RollClaim.objects.filter(election=election, kind=K.OBJECTION,
                                            person_id=owner, lodged_by=by,
                                            outcome=OUT.OPEN).first()
        if existing is not None:
            return existing
        objection = RollClaim.objects.create(
            election=election, kind=K.OBJECTION, person_id=owner, lodged_by=by,
            grounds=grounds, lodged_at=timezone.now())
        audit_append(election=election, action="objection_lodged", by=by,
                     details={"claim": objection.pk, "rules_version": rules.version})
    return objection


def claim_list(*, by: Actor, election: Election, open_only: bool = False
               ) -> QuerySet[RollClaim]:
    """The election's claims and objections in the order lodged, for its officers."""
    check_watches(by, election)
    found = (RollClaim.objects.filter(election=election)
             .select_related("person", "lodged_by", "decided_by"))
    if open_only:
        found = found.filter(outcome=OUT.OPEN)
    return found.order_by("lodged_at", "pk")


def my_claims(*, user: User, election: Election) -> QuerySet[RollClaim]:
    """The claims ``user`` lodged in this election (their own page only).

    Not their objections: one to a reference off the roll is not stored, so
    listing the others would show at once which references are on it.
    """
    return RollClaim.objects.filter(election=election, lodged_by=user,
                                    kind=K.CLAIM).order_by("-lodged_at", "-pk")


def claim_get(*, by: Actor, election: Election, pk: int) -> RollClaim:
    check_watches(by, election)
    claim = RollClaim.objects.filter(election=election, pk=pk).first()
    if claim is None:
        raise NotFound("There is no such claim or objection in this election.",
                       code="no_claim")
    return claim


def _after(claim: RollClaim, entry: RollEntry | None, section: str, reason: str,
           today_words: str) -> tuple[bool, str, str]:
    """The entry as the upheld decision makes it: in or out, section, and why."""
    if claim.kind == K.CLAIM:
        return (True, section or claim.section or (entry.section if entry else ""),
                f"On your claim, the returning officer put you on the roll on {today_words}: "
                f"{reason}")
    return (False, entry.section if entry else "",
            f"On an objection, the returning officer took you off the roll on {today_words}: "
            f"{reason}")


def claim_decide(*, by: Actor, claim: RollClaim, uphold: bool, reason: str,
                 section: str = "") -> RollClaim:
    """Uphold or dismiss a claim or objection, with ``reason`` (shown to the people
    concerned). Upholding amends the person's entry (on a new version of the roll if
    the current one is frozen) and keeps the entry before and after on the claim.

    Raises:
        PermissionRefused: ``by`` is not the returning officer.
        Refusal: no reason, or a section not of the election.
        Conflict: decided already; upheld after the ballot opened.
    """
    election = claim.election
    check_runs(by, election)
    reason = _clean_text(reason, field="reason", what="reason", limit=REASON_LIMIT)
    if section and section not in dict(claim_sections(election)):
        raise Refusal("Choose one of the election's sections.", code="bad_section",
                      field="section")
    with transaction.atomic():
        current = RollClaim.objects.select_for_update().get(pk=claim.pk)
        if current.outcome != OUT.OPEN:
            raise Conflict("This has been decided already.", code="decided")
        now = timezone.now()
        current.decision_reason, current.decided_at = reason, now
        current.decided_by = by if isinstance(by, User) else None
        details: dict[str, object] = {"claim": current.pk, "kind": current.kind}
        if uphold:
            if election.status != Election.Status.NOMINATIONS:
                raise Conflict("The roll is fixed once the ballot opens: the claim can only "
                               "be dismissed now.", code="roll_fixed")
            rules = current_rules(election)
            if rules is None or rules.evaluated_at is None:
                raise Conflict("Draw the roll before deciding.", code="roll_not_drawn")
            rules = RollRules.objects.select_for_update().get(pk=rules.pk)
            if rules.frozen_at is not None:
                rules = roll_version_copy(by=by, election=election, frozen=rules,
                                          why=f"{current.kind} {current.pk} upheld")
            entry = rules.entries.filter(user=current.person).first()
            current.before_eligible = entry.eligible if entry else None
            current.before_section = entry.section if entry else ""
            current.before_reason = entry.reason if entry else ""
            (current.after_eligible, current.after_section,
             current.after_reason) = _after(current, entry, section, reason,
                                            day(timezone.localdate(now)))
            current.rules_version = rules.version
            current.outcome = OUT.UPHELD
            current.save()
            amendment_apply(rules, current)
            details.update(outcome="upheld", rules_version=rules.version,
                           before={"in": current.before_eligible,
                                   "section": current.before_section},
                           after={"in": current.after_eligible,
                                  "section": current.after_section})
        else:
            current.outcome = OUT.DISMISSED
            current.save()
            details.update(outcome="dismissed")
        audit_append(election=election, action=f"{current.kind}_decided", by=by,
                     details=details)
        _tell(current)
    return current


def _tell(claim: RollClaim) -> None:
    """Mail the decision to whoever lodged it, and to the person whose entry an upheld
    objection took off the roll."""
    election = claim.election
    page = f"{settings.SITE_URL}/elections/{election.slug}/can-i-vote/"
    what = "claim" if claim.kind == K.CLAIM else "objection"
    verdict = "upheld" if claim.outcome == OUT.UPHELD else "dismissed"
    body = (f"The returning officer of {election.title} has {verdict} your {what}"
            f"{'' if claim.kind == K.CLAIM else ' to an entry on the roll'}.\n\n"
            f"Their reason: {claim.decision_reason}\n\n")
    if claim.kind == K.CLAIM:
        body += f"See where you stand: {page}\n"
    outbox_enqueue(to=claim.lodged_by.email, subject=f"Your {what}: {election.title}",
                   body=body, purpose=PURPOSE, key=f"{PURPOSE}:{claim.pk}")
    if claim.kind == K.OBJECTION and claim.outcome == OUT.UPHELD:
        outbox_enqueue(
            to=claim.person.email, subject=f"Your place on the roll: {election.title}",
            body=(f"On an objection to your entry on the roll of {election.title}, the "
                  f"returning officer has taken you off the roll.\n\nTheir reason: "
                  f"{claim.decision_reason}\n\nIf you think this is wrong, you can lodge a "
                  f"claim from {page} while nominations are open.\n"),
            purpose=PURPOSE, key=f"{PURPOSE}:{claim.pk}:person")
