"""Data protection: a person's own copy of their data, erasure on request, retention.

Erasure (``person_erase``) removes or anonymises everything that names or
reaches the person, and keeps what the organisation's counts and decisions
need, unlinked from them:

- The login: e-mail address replaced by an address made from the person's
  pseudonymous id, names replaced by "Former member" (what the minutes and
  card lists show for them from then on), password unusable, deactivated;
  their other e-mail addresses, mail preferences and API tokens deleted.
- Each membership: names, address, union number and the request's
  fingerprint removed; the postcode cut to its outward part (``E4``); the date
  of birth to 1 January of its year. Category, status, branch, dates and
  status history stay, so counts stay right; a member's own words in the
  history (a resignation's reason) are removed.
- Payments: amounts, dates and references stay (the accounts need them);
  notes and card fingerprints go.
- Comments they wrote stay in their threads under "Former member", unlinked,
  without e-mail address or IP address.
- E-mails sent to any of their confirmed addresses: the address, subject and body go;
  the count stays.
- Groups they joined: the joins are deleted (a group's member list is of its
  present members, and belonging to one is political opinion).
- Meetings: replies (coming, apologies: the answer only, no words of theirs),
  attendances, cards held as a delegate, and motions and amendments they
  proposed or seconded stay, linked to the erased login: they are the body's
  record, counted in its minutes and quorums, and proposer, seconder and card
  holder cannot be unlinked (the record requires them). Minutes already
  written are the body's record as approved and are not rewritten.
- Guest sign-ups made with any of their confirmed addresses: name "Former member", the
  address replaced by the login's erased address; the meeting, the answer
  about contact with its wording and time stay. A guest's check-in keeps its
  row under the same name.
- Elections: roll entries stay (in or out, section and the rules' reason, which
  names nobody: the election's counts and the frozen roll's hash need them);
  nominations they made stay (counted); as a nominee their name becomes
  "Former member" and their statement (and their candidate's copy of it) is
  replaced; consent, validity and counts stay. The grounds of claims and
  objections they lodged, and of objections to their entry, are removed; the
  returning officer's decisions and reasons stay. A published candidate's
  name stays on the ballot, the result and the bulletin (hashed, published).
  The election's audit log (a hash chain) is not rewritten: it names people by
  their account's number (entries before 30 November 2026 by address).
- Ballots and secret votes are never linked to a voter, so there is nothing
  to unlink.

A guest with no login is erased by address (``guest_erase``): their sign-ups
as above, under "Former guest", and e-mails sent to the address.

It is deferred, with the reasons shown to staff, while a registered hold
(``holds.py``: an electoral roll that can still be challenged) says so, and it
is done once: a second request is refused. The trail (``Erasure``) names the
person by pseudonymous id only (a guest by ``pseudonyms.address_pseudonym``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import ApiToken, Role, User
from rankfile.accounts.roles import is_national_staff, national_roles
from rankfile.core.actors import System, is_system
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.pseudonyms import address_pseudonym, pseudonym
from rankfile.discussion.models import ApprovedCommenter, Comment
from rankfile.mailings.models import MailPreferences
from rankfile.membership.models import (
    BranchChange,
    Membership,
    Payment,
    Rate,
    Refund,
    RepeatApplication,
    StatusChange,
)
from rankfile.membership.services.dues import add_periods
from rankfile.outbox.models import OutboxMessage
from rankfile.privacy.democracy import (
    ERASED_DOMAIN,
    FORMER_GUEST,
    FORMER_MEMBER,
    democracy_erase,
    elections_export,
    groups_export,
    guests_anonymise,
    guests_with,
    meetings_export,
)
from rankfile.privacy.holds import erasure_holds
from rankfile.privacy.models import Erasure, RetentionRun

logger = logging.getLogger("rankfile.privacy")

REASON_MAX_LENGTH = 300


# -- access -----------------------------------------------------------------------------------


def can_erase(by: Actor) -> bool:
    """National membership staff handle erasure requests; the daily job finishes the
    ones they asked for that were deferred, and applies the retention rule."""
    return is_system(by) or is_national_staff(by)


def can_read_erasures(by: Actor) -> bool:
    """National staff and auditors read the erasure trail (it names nobody)."""
    return bool(national_roles(by) & {Role.Kind.STAFF, Role.Kind.AUDITOR})


# -- a person's own copy ----------------------------------------------------------------------


def _dt(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def person_export(*, user: User) -> dict[str, Any]:
    """Everything held about ``user``, as plain JSON-able values, for them alone.

    Staff's internal notes are left out where they are staff's words about the
    person's case (a refund's reason), as the member's page leaves them out;
    the decisions themselves are in.
    """
    memberships = []
    for m in (Membership.objects.filter(user=user)
              .select_related("category", "rate", "branch", "constituency", "ward", "union")
              .order_by("applied_at")):
        memberships.append({
            "reference": m.reference, "category": m.category.name, "status": m.get_status_display(),
            "first_name": m.first_name, "last_name": m.last_name,
            "date_of_birth": _dt(m.date_of_birth), "address": m.address, "postcode": m.postcode,
            "ward": m.ward.name if m.ward else None,
            "branch": m.branch.name if m.branch else None,
            "constituency": m.constituency.name if m.constituency else None,
            "rate": str(m.rate) if m.rate else None,
            "union": m.union.name if m.union else None, "union_number": m.union_number,
            "vetting": m.get_vetting_display(), "applied_at": _dt(m.applied_at),
            "joined_on": _dt(m.joined_on), "ended_on": _dt(m.ended_on),
            "email_confirmed_at": _dt(m.email_confirmed_at),
            "consent": {"version": m.consent_version, "at": _dt(m.consent_at)},
            "history": [
                {"at": _dt(h.at), "from": h.get_from_status_display(),
                 "to": h.get_to_status_display(), "reason": h.reason}
                for h in StatusChange.objects.filter(membership=m)],
            "branch_moves": [
                {"at": _dt(b.at), "from": b.from_branch.name if b.from_branch else None,
                 "to": b.to_branch.name if b.to_branch else None, "reason": b.reason}
                for b in BranchChange.objects.filter(membership=m)
                .select_related("from_branch", "to_branch")],
            "payments": [
                {"reference": p.reference, "amount_pence": p.amount_pence,
                 "status": p.get_status_display(), "method": p.get_method_display(),
                 "provider": p.provider, "created_at": _dt(p.created_at),
                 "paid_at": _dt(p.paid_at), "receipt_number": p.receipt_number}
                for p in Payment.objects.filter(membership=m).order_by("created_at")],
            "refunds": [
                {"payment": r.payment.reference, "amount_pence": r.amount_pence,
                 "status": r.get_status_display(), "provider": r.get_provider_display(),
                 "requested_at": _dt(r.requested_at), "completed_at": _dt(r.completed_at)}
                for r in Refund.objects.filter(payment__membership=m).select_related("payment")],
        })
    prefs = MailPreferences.objects.filter(user=user).first()
    addresses = _addresses(user)
    return {
        "exported_at": _dt(timezone.now()),
        "organisation": settings.ORGANISATION_NAME,
        "account": {
            "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "date_joined": _dt(user.date_joined), "last_login": _dt(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user)],
            "roles": [
                {"role": r.get_kind_display(), "body": r.body.name,
                 "starts_on": _dt(r.starts_on), "ends_on": _dt(r.ends_on)}
                for r in user.roles.select_related("body")],
        },
        "mail_preferences": {"branch_mail": prefs.branch_mail if prefs else True},
        "memberships": memberships,
        "comments": [
            {"article": c.article.title, "at": _dt(c.created_at), "text": c.text,
             "status": c.get_status_display()}
            for c in Comment.objects.filter(author=user).select_related("article")
            .order_by("created_at")],
        "emails_sent": [
            {"subject": o.subject, "queued_at": _dt(o.queued_at), "status": o.get_status_display()}
            for o in OutboxMessage.objects.filter(to__iexact=user.email).order_by("queued_at")],
        "groups": groups_export(user),
        "meetings": meetings_export(user, addresses),
        "elections": elections_export(user),
    }


# -- erasure ----------------------------------------------------------------------------------


def _by_name(by: Actor) -> str:
    return pseudonym(by.pk) if isinstance(by, User) else f"system:{getattr(by, 'why', '')}"


def _anonymise_membership(m: Membership) -> dict[str, int]:
    outward = (m.postcode or "").split(" ")[0][:4]
    m.first_name, m.last_name, m.address, m.postcode = FORMER_MEMBER, "", "", outward
    m.date_of_birth = dt.date(m.date_of_birth.year, 1, 1)
    m.union_number, m.request_fingerprint, m.idempotency_key = "", "", None
    m.confirmation_due = False  # no e-mail for them goes out after this
    m.save(update_fields=("first_name", "last_name", "address", "postcode", "date_of_birth",
                          "union_number", "request_fingerprint", "idempotency_key",
                          "confirmation_due"))
    # The member's own words: "Resigned by the member: <their reason>".
    words = 0
    for change in StatusChange.objects.filter(membership=m, reason__contains=" by the member: "):
        change.reason = change.reason.split(": ", 1)[0]
        change.save(update_fields=("reason",))
        words += 1
    payments = Payment.objects.filter(membership=m).update(note="", card_fingerprint=None)
    return {"memberships": 1, "member_words": words, "payments_unlinked": payments}


def _addresses(user: User) -> set[str]:
    """The addresses ``user`` has shown to be theirs: the login's (confirmed before
    they can log in) and the others they confirmed. Never an address merely added:
    anyone can add a stranger's address to their account, and would then read that
    stranger's guest sign-ups in their own copy (or have them erased)."""
    found = {user.email.lower()}
    found.update(e.lower() for e in EmailAddress.objects.filter(user=user, verified=True)
                 .values_list("email", flat=True))
    return found


def _erase_emails(addresses: set[str]) -> int:
    sent = OutboxMessage.objects.none()
    for address in addresses:
        sent |= OutboxMessage.objects.filter(to__iexact=address)
    return sent.update(to=f"erased@{ERASED_DOMAIN}", subject="(erased)", body="",
                       html_body="")


def _erase_now(user: User) -> dict[str, int]:
    counts: dict[str, int] = {}

    def add(more: dict[str, int]) -> None:
        for key, value in more.items():
            counts[key] = counts.get(key, 0) + value

    old_email = user.email
    addresses = _addresses(user)
    erased_address = f"{pseudonym(user.pk).lower()}@{ERASED_DOMAIN}"
    for m in Membership.objects.filter(user=user).select_for_update():
        add(_anonymise_membership(m))
    RepeatApplication.objects.filter(user=user, notice_due=True).update(notice_due=False)
    add({"comments": Comment.objects.filter(author=user).update(
        author=None, name=FORMER_MEMBER, email="", ip=None)})
    add(democracy_erase(user, addresses=addresses, address=erased_address))
    add({"emails": _erase_emails(addresses)})
    EmailAddress.objects.filter(user=user).delete()
    MailPreferences.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    ApprovedCommenter.objects.filter(user=user).delete()
    ApprovedCommenter.objects.filter(email__iexact=old_email).delete()
    user.email = erased_address
    user.first_name, user.last_name = FORMER_MEMBER, ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=("email", "first_name", "last_name", "is_active", "password"))
    add({"logins": 1})
    return counts


def _checked_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refusal("Say why, for example “Request by e-mail of 3 March”.",
                      code="reason_required", field="reason")
    if len(reason) > REASON_MAX_LENGTH or "\0" in reason:
        raise Refusal(f"Shorten the reason to {REASON_MAX_LENGTH} characters or fewer.",
                      code="reason_too_long", field="reason")
    return reason


def person_erase(*, user: User, by: Actor, reason: str) -> Erasure:
    """Erase ``user`` now, or defer it while a hold says so (module docstring).

    Asking again for a deferred erasure checks the holds again, and erases if
    none is left.

    Returns:
        The ``Erasure``: ``done``, or ``deferred`` with its ``holds``.

    Raises:
        PermissionRefused: ``by`` is not national membership staff.
        Refusal: no reason given, or the person was already erased. Nothing is changed.
    """
    if not can_erase(by):
        raise PermissionRefused("Only membership staff can erase a person.", code="not_staff")
    reason = _checked_reason(reason)
    if getattr(by, "pk", None) == user.pk:
        raise PermissionRefused("Ask another member of staff to erase your own record.",
                                code="own_record")
    name = pseudonym(user.pk)
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        erasure = (Erasure.objects.select_for_update()
                   .filter(pseudonym=name, kind=Erasure.Kind.REQUEST).first())
        if erasure is not None and erasure.status == Erasure.Status.DONE:
            raise Refusal(f"{name} was already erased on {erasure.done_at:%d %B %Y}. "
                          "There is nothing left to erase.", code="already_erased")
        if erasure is None:
            erasure = Erasure(pseudonym=name, kind=Erasure.Kind.REQUEST, user=locked,
                              requested_at=now)
        erasure.reason, erasure.requested_by = reason, _by_name(by)
        holds = erasure_holds(locked)
        if holds:
            erasure.status, erasure.holds = Erasure.Status.DEFERRED, holds
            erasure.save()
            logger.info("Erasure of %s deferred: %s", name, "; ".join(holds))
            return erasure
        erasure.summary = _erase_now(locked)
        erasure.status, erasure.holds, erasure.done_at = Erasure.Status.DONE, [], now
        erasure.save()
    logger.info("Erased %s: %s", name, erasure.summary)
    return erasure


def guest_erase(*, email: str, by: Actor, reason: str) -> Erasure:
    """Erase a guest who has no login: every sign-up made with ``email``, and the
    e-mails sent to it (module docstring). Done at once: no hold applies to a guest.

    A person with a login is erased by ``person_erase``, which does this to every
    address of theirs and waits while a hold says so; an address of a login is
    refused here, so that an erasure cannot go round a hold. A guest who signs up
    again after being erased can ask again: the same record is brought up to date.

    Returns:
        The ``Erasure``, ``done``, naming the guest by ``address_pseudonym``.

    Raises:
        PermissionRefused: ``by`` is not national membership staff.
        Refusal: no reason, no usable address, an address of a login, or no
            sign-up with it (already erased, or mistyped). Nothing is changed.
    """
    if not is_national_staff(by):
        raise PermissionRefused("Only membership staff can erase a guest.", code="not_staff")
    reason = _checked_reason(reason)
    address = (email or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise Refusal("Enter the e-mail address the guest signed up with, like "
                      "name@example.org.", code="email_invalid", field="email") from None
    if (User.objects.filter(email__iexact=address).exists()
            or EmailAddress.objects.filter(email__iexact=address).exists()):
        raise Refusal("That address belongs to a login: erase the person by their membership "
                      "reference, which erases their guest sign-ups too.",
                      code="address_of_a_login", field="email")
    name = address_pseudonym(address)
    now = timezone.now()
    with transaction.atomic():
        erasure = (Erasure.objects.select_for_update()
                   .filter(pseudonym=name, kind=Erasure.Kind.REQUEST).first())
        guests = guests_with([address])
        if not guests.exists():
            if erasure is not None and erasure.done_at is not None:
                raise Refusal(f"{name} was already erased on {erasure.done_at:%d %B %Y}. "
                              "There is nothing left to erase.", code="already_erased")
            raise Refusal("No guest signed up with that address. Check it for typing "
                          "mistakes.", code="no_sign_up", field="email")
        summary = guests_anonymise(guests, name=FORMER_GUEST,
                                   address=f"{name.lower()}@{ERASED_DOMAIN}")
        summary["emails"] = _erase_emails({address.lower()})
        if erasure is None:
            erasure = Erasure(pseudonym=name, kind=Erasure.Kind.REQUEST, requested_at=now)
        else:
            summary = {k: erasure.summary.get(k, 0) + summary.get(k, 0)
                       for k in {*erasure.summary, *summary}}
        erasure.reason, erasure.requested_by, erasure.summary = reason, _by_name(by), summary
        erasure.status, erasure.holds, erasure.done_at = Erasure.Status.DONE, [], now
        erasure.save()
    logger.info("Erased guest %s: %s", name, erasure.summary)
    return erasure


def erasure_list(*, by: Actor, limit: int = 100) -> list[Erasure]:
    """The erasure trail, newest first (pseudonymous ids only).

    Raises:
        PermissionRefused: ``by`` is neither staff nor an auditor.
    """
    if not can_read_erasures(by):
        raise PermissionRefused("Only membership staff and auditors can read erasures.",
                                code="not_staff")
    return list(Erasure.objects.filter(kind=Erasure.Kind.REQUEST)[:limit])


def erasures_retry(*, by: Actor) -> list[Erasure]:
    """Ask again every deferred erasure (the daily job): those no hold keeps are done."""
    done = []
    for erasure in Erasure.objects.filter(status=Erasure.Status.DEFERRED,
                                          kind=Erasure.Kind.REQUEST, user__isnull=False):
        assert erasure.user is not None
        result = person_erase(user=erasure.user, by=by, reason=erasure.reason)
        if result.status == Erasure.Status.DONE:
            done.append(result)
    return done


# -- retention --------------------------------------------------------------------------------


def retention_rule() -> str:
    months = settings.RETENTION_REJECTED_MONTHS
    return f"Rejected applications are anonymised {months} months after their last change."


def retention_run(*, by: Actor, now: dt.datetime | None = None) -> RetentionRun:
    """Anonymise the applications the retention rule says to (the daily job).

    A rejected application whose last change (status, or the application
    itself) is older than ``RETENTION_REJECTED_MONTHS`` months is anonymised
    as an erasure does to a membership (``_anonymise_membership``); the login
    and other memberships of the same person are left alone. A hold on the
    person defers it to a later run. Safe to run twice, even at once: each
    application gets one ``Erasure`` row (a unique key), written in the same
    transaction. Returns the run's report (how many, and their pseudonymous ids).

    Raises:
        PermissionRefused: ``by`` is neither the system nor national staff.
    """
    if not can_erase(by):
        raise PermissionRefused("Only the daily job or membership staff run retention.",
                                code="not_staff")
    now = now or timezone.now()
    day = add_periods(timezone.localdate(now), -settings.RETENTION_REJECTED_MONTHS,
                      Rate.Period.MONTHLY)
    cutoff = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    candidates = (Membership.objects.filter(vetting=Membership.Vetting.REJECTED,
                                            applied_at__lt=cutoff)
                  .annotate(last=Max("history__at"))
                  .exclude(pk__in=Erasure.objects.filter(membership__isnull=False)
                           .values("membership_id"))
                  .select_related("user"))
    removed: list[str] = []
    for m in candidates:
        if m.last is not None and m.last >= cutoff:
            continue
        if erasure_holds(m.user):
            continue
        name = pseudonym(m.user_id)
        with transaction.atomic():
            locked = Membership.objects.select_for_update().get(pk=m.pk)
            if Erasure.objects.filter(membership=locked).exists():
                continue  # done meanwhile by a run at the same time
            summary = _anonymise_membership(locked)
            Erasure.objects.create(
                pseudonym=name, kind=Erasure.Kind.RETENTION, membership=locked,
                user=m.user, status=Erasure.Status.DONE, reason=retention_rule(),
                summary=summary, requested_by=_by_name(by), requested_at=now, done_at=now)
        removed.append(name)
    run = RetentionRun.objects.create(ran_at=now, rule=retention_rule(), removed=len(removed),
                                      pseudonyms=removed)
    logger.info("Retention: %s", f"anonymised {len(removed)} rejected application(s)")
    return run


def daily_run(*, now: dt.datetime | None = None) -> RetentionRun:
    """The daily job: retention, then the deferred erasures whose holds have ended."""
    system = System("privacy_daily")
    run = retention_run(by=system, now=now)
    erasures_retry(by=system)
    return run
