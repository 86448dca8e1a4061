"""What the meetings and elections apps hold about a person: their copy, and erasure.

Used by ``services.person_export``, ``services._erase_now`` and
``services.guest_erase``; the rules for each kind of record are in the module
docstring of ``services``. The selections app holds nobody by login: an
applicant is a name typed by the constituency's officers, with no link to an
account, so nothing there can be found for a person, and matching on names
would hand one person another's record.

Nothing here reads a ``SecretVote``, a ``Ballot``, a ``Credential`` or a
``PostalKeying``, and a person's copy says neither on which questions they
voted (``VoteMark``) nor on which day they cast a ballot
(``RollEntry.voted_on``): their copy is something they may be pressed to show,
and it should not show how, or whether, they took part in a secret vote.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any

from django.db.models import Count, Q, QuerySet

from rankfile.accounts.models import User
from rankfile.elections.models import (
    BodyNomination,
    Candidate,
    MemberNomination,
    Nominee,
    RollClaim,
    RollEntry,
)
from rankfile.meetings.models import (
    Amendment,
    Attendance,
    Card,
    CardVote,
    GroupMember,
    Guest,
    Meeting,
    Motion,
    Reply,
)
from rankfile.meetings.services.public import GUEST_PURPOSE
from rankfile.outbox.models import OutboxMessage

ERASED_DOMAIN = "erased.invalid"
FORMER_MEMBER = "Former member"
FORMER_GUEST = "Former guest"
# In place of a nominee's statement (and of their candidate's, which is a copy of it).
STATEMENT_ERASED = "(Removed at the nominee's request.)"


def _dt(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _meeting(m: Meeting) -> dict[str, Any]:
    return {"meeting": m.title, "body": m.body.name, "starts_at": _dt(m.starts_at)}


def guests_with(addresses: Iterable[str]) -> QuerySet[Guest]:
    """The guest sign-ups made with any of ``addresses`` (compared ignoring case)."""
    wanted = [Q(email__iexact=a) for a in {a.strip() for a in addresses} if a]
    if not wanted:
        return Guest.objects.none()
    return Guest.objects.filter(reduce(operator.or_, wanted))


# -- a person's copy --------------------------------------------------------------------------


def groups_export(user: User) -> list[dict[str, Any]]:
    return [{"group": g.group.name, "joined_at": _dt(g.joined_at)}
            for g in GroupMember.objects.filter(user=user).select_related("group")
            .order_by("joined_at", "pk")]


def meetings_export(user: User, addresses: Iterable[str]) -> dict[str, Any]:
    """Replies, attendances, motions and amendments, cards, guest sign-ups.

    Left out: the other sponsor of a motion or amendment (another person, named
    in the minutes, which are the body's record and not this person's data),
    and who checked them in (an officer).
    """
    guests = list(guests_with(addresses).select_related("meeting__body")
                  .order_by("signed_up_at", "pk"))
    attendances = (Attendance.objects
                   .filter(Q(user=user) | Q(membership__user=user)
                           | Q(guest__in=[g.pk for g in guests]))
                   .select_related("meeting__body").order_by("checked_in_at", "pk"))
    sponsored = Q(proposer=user) | Q(seconder=user)
    cards = list(Card.objects.filter(holder=user).select_related("meeting__body")
                 .order_by("added_at", "pk"))
    votes = (CardVote.objects.filter(card__in=cards).select_related("question__motion")
             .order_by("at", "pk"))

    def role(item: Motion | Amendment) -> str:
        return "proposer" if item.proposer_id == user.pk else "seconder"

    return {
        "replies": [
            {**_meeting(r.meeting), "answer": r.get_answer_display(), "at": _dt(r.at)}
            for r in Reply.objects.filter(user=user).select_related("meeting__body")
            .order_by("at", "pk")],
        "attendances": [
            {**_meeting(a.meeting), "as": a.get_standing_display(), "reason": a.reason,
             "checked_in_at": _dt(a.checked_in_at), "checked_out_at": _dt(a.checked_out_at)}
            for a in attendances],
        "motions": [
            {**_meeting(m.meeting), "number": m.number, "title": m.title, "text": m.text,
             "as": role(m), "emergency": m.is_emergency, "urgency_reason": m.urgency_reason,
             "submitted_at": _dt(m.submitted_at), "status": m.get_status_display()}
            for m in Motion.objects.filter(sponsored).select_related("meeting__body")
            .order_by("submitted_at", "pk")],
        "amendments": [
            {**_meeting(a.motion.meeting), "motion": f"{a.motion.number}: {a.motion.title}",
             "number": a.number, "amendment": a.describe(), "as": role(a),
             "submitted_at": _dt(a.submitted_at), "status": a.get_status_display()}
            for a in Amendment.objects.filter(sponsored).select_related("motion__meeting__body")
            .order_by("submitted_at", "pk")],
        # A delegate's card votes are on the record by design (CardVote's docstring).
        "cards": [
            {**_meeting(c.meeting), "casts_for": c.casts_for, "weight": c.weight,
             "added_at": _dt(c.added_at),
             "votes": [{"question": f"{v.question.get_kind_display()}: {v.question.motion.title}",
                        "choice": v.get_choice_display(), "at": _dt(v.at)}
                       for v in votes if v.card_id == c.pk]}
            for c in cards],
        "guest_sign_ups": [
            {**_meeting(g.meeting), "name": g.name, "email": g.email,
             "consent_to_contact": g.consent_to_contact, "consent_wording": g.consent_wording,
             "signed_up_at": _dt(g.signed_up_at)}
            for g in guests],
    }


def elections_export(user: User) -> dict[str, Any]:
    """Roll entries, nominations made and received, claims and objections lodged.

    Left out, as other people's data: who nominated them (counted, not named:
    member nominations are never shown by name); for an objection they lodged,
    whose entry it was about and that entry before and after (the objector typed
    only a membership reference, which is not kept; the grounds they typed and
    the returning officer's reason, which was mailed to them, are in).
    Objections others lodged about them are left out too: a dismissed one is
    never told to the person, by design, and an upheld one shows in their roll
    entry and was mailed to them.
    """
    claims = []
    for c in (RollClaim.objects.filter(lodged_by=user).select_related("election")
              .order_by("lodged_at", "pk")):
        item: dict[str, Any] = {
            "election": c.election.title, "kind": c.get_kind_display(), "grounds": c.grounds,
            "lodged_at": _dt(c.lodged_at), "outcome": c.get_outcome_display(),
            "decided_at": _dt(c.decided_at), "decision_reason": c.decision_reason}
        if c.kind == RollClaim.Kind.CLAIM and c.person_id == user.pk:
            item.update({
                "section": c.section,
                "before": {"eligible": c.before_eligible, "section": c.before_section,
                           "reason": c.before_reason},
                "after": {"eligible": c.after_eligible, "section": c.after_section,
                          "reason": c.after_reason}})
        claims.append(item)
    bodies: dict[int, list[dict[str, Any]]] = {}
    for b in BodyNomination.objects.filter(nominee__user=user).select_related("branch", "union"):
        bodies.setdefault(b.nominee_id, []).append({
            "kind": b.get_kind_display(), "body": b.body_name, "decided_on": _dt(b.decided_on),
            "votes_for": b.votes_for, "votes_against": b.votes_against,
            "abstentions": b.abstentions, "record": b.record})
    return {
        "roll": [
            {"election": e.election.title, "rules_version": e.rules.version,
             "section": e.section, "on_the_roll": e.eligible, "reason": e.reason}
            for e in RollEntry.objects.filter(user=user).select_related("election", "rules")
            .order_by("election__created_at", "rules__version", "pk")],
        "nominations_received": [
            {"election": n.election.title, "name": n.name, "consent": n.get_consent_display(),
             "consent_at": _dt(n.consent_at), "statement": n.statement,
             "created_at": _dt(n.created_at), "valid": n.valid, "reason": n.reason,
             "member_nominations": n.member_count, "body_nominations": bodies.get(n.pk, []),
             "stood": n.candidate_id is not None}
            for n in Nominee.objects.filter(user=user).select_related("election")
            .annotate(member_count=Count("member_nominations")).order_by("created_at", "pk")],
        "nominations_made": [
            {"election": n.election.title, "nominee": n.nominee.name, "made_at": _dt(n.made_at)}
            for n in MemberNomination.objects.filter(nominator=user)
            .select_related("election", "nominee").order_by("made_at", "pk")],
        "claims_and_objections": claims,
    }


# -- erasure ----------------------------------------------------------------------------------


def _free_address(guest: Guest, address: str) -> str:
    """``address``, or a variant of it no other sign-up to the same meeting uses (one
    sign-up per address and meeting: the same person may have used two addresses)."""
    taken = Guest.objects.filter(meeting_id=guest.meeting_id, email__iexact=address)
    if not taken.exclude(pk=guest.pk).exists():
        return address
    local, _, domain = address.partition("@")
    return f"{local}+{guest.pk}@{domain}"


def guests_anonymise(guests: QuerySet[Guest], *, name: str, address: str) -> dict[str, int]:
    """Replace the name and address of ``guests`` (and the name their check-in copied),
    keeping the meeting, the answer about contact, its wording and its time.

    The confirmation e-mails' keys hold a hash of the address, so they are
    rewritten; the caller empties the messages, as erasure does to any e-mail
    sent to the person.
    """
    rows = list(guests.select_for_update().order_by("pk"))
    old = {g.email.lower() for g in rows}
    for g in rows:
        g.name, g.email = name, _free_address(g, address)
        g.save(update_fields=("name", "email"))
    checked_in = Attendance.objects.filter(guest__in=[g.pk for g in rows]).update(
        guest_name=name)
    if old:
        sent = OutboxMessage.objects.filter(purpose=GUEST_PURPOSE).filter(
            reduce(operator.or_, [Q(to__iexact=a) for a in old]))
        for message in sent.only("pk", "key"):
            meeting = message.key.split(":")[1]
            OutboxMessage.objects.filter(pk=message.pk).update(
                key=f"{GUEST_PURPOSE}:{meeting}:erased:{message.pk}")
    return {"guest_sign_ups": len(rows), "guest_check_ins": checked_in}


def democracy_erase(user: User, *, addresses: Iterable[str], address: str) -> dict[str, int]:
    """What erasing ``user`` does to meetings' and elections' records (``services``'
    docstring); ``addresses`` are every address they had, ``address`` the erased one.

    Call inside the erasure's transaction, before their addresses are deleted.
    """
    counts = {"group_memberships": GroupMember.objects.filter(user=user).delete()[0]}
    counts |= guests_anonymise(guests_with(addresses), name=FORMER_MEMBER, address=address)
    nominees = Nominee.objects.filter(user=user)
    counts["candidate_statements"] = (
        Candidate.objects.filter(nominee__in=nominees).exclude(statement="")
        .update(statement=STATEMENT_ERASED))
    counts["nominee_statements"] = nominees.exclude(statement="").update(
        statement=STATEMENT_ERASED)
    counts["nominees"] = nominees.update(name=FORMER_MEMBER)
    # Their own words, and the words of an objection to their entry (which name them).
    counts["claim_grounds"] = (RollClaim.objects.filter(Q(lodged_by=user) | Q(person=user))
                               .exclude(grounds="").update(grounds=""))
    return counts
