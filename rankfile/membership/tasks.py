"""Background jobs of the membership app (Django's Tasks API, database backend).

Services enqueue these inside their own transaction, so a job exists exactly
when the change it belongs to was committed. Jobs take primary keys, not
objects, and read the row afresh when they run. E-mails go through the outbox,
under a key that names the message, so a job run twice queues each one once.

A sign-up's e-mails are the exception: its row says they are due, and the
worker's sweeps (``confirmations_queue``, ``known_address_notices_queue``)
queue them in batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, Prefetch, QuerySet
from django.urls import reverse
from django_tasks import TaskContext, task

from rankfile.core.errors import Refusal
from rankfile.membership.models import (
    BranchChange,
    Category,
    Membership,
    Payment,
    RepeatApplication,
    StatusChange,
)
from rankfile.outbox.services import Draft, outbox_enqueue, outbox_enqueue_many, outbox_render

logger = logging.getLogger("rankfile.membership")
M = TypeVar("M", bound=Model)


def _draft(subject: str, template: str, context: dict[str, object], to: str, *,
           purpose: str, key: str) -> Draft:
    rendered = outbox_render(template=template, context=context, subject=subject)
    return Draft(to=to, subject=rendered.subject, body=rendered.body,
                 html_body=rendered.html_body, purpose=purpose, key=f"{purpose}:{key}")


def _send(subject: str, template: str, context: dict[str, object], to: str, *,
          purpose: str, key: str) -> None:
    _enqueue(_draft(subject, template, context, to, purpose=purpose, key=key))


def _enqueue(draft: Draft) -> None:
    outbox_enqueue(to=draft.to, subject=draft.subject, body=draft.body,
                   html_body=draft.html_body, purpose=draft.purpose, key=draft.key)


# -- the e-mails a sign-up is due --------------------------------------------------------
#
# A sign-up does not queue a job: its row says the e-mail is due
# (Membership.confirmation_due, RepeatApplication.notice_due), written in the
# sign-up's own INSERT, and the worker queues the due e-mails in batches
# (core.worker runs these sweeps). One row fewer a sign-up: a job row cost
# about a sixth of a sign-up under a surge (bench/RESULTS.md, 2026-11-30).
# Each e-mail is queued under its key and its flag cleared in one transaction,
# so a worker killed half-way leaves the flag set and the next one queues it
# once.

SWEEP_BATCH = 50


def _confirmation_draft(membership: Membership, payment: Payment | None) -> Draft:
    from rankfile.membership.services.joining import confirmation_token
    from rankfile.membership.services.payments import payment_instructions
    from rankfile.membership.services.stripe_provider import stripe_configured

    link = settings.SITE_URL + reverse("membership:confirm",
                                       args=[confirmation_token(membership.user)])
    return _draft("confirm your e-mail address", "emails/join_confirmation.txt", {
        "membership": membership,
        "link": link,
        "payment": payment_instructions(payment) if payment else None,
        "card_payments": stripe_configured(),
    }, membership.user.email, purpose="join_confirmation", key=membership.reference)


def _notice_draft(*, email: str, name: str, key: str,
                  memberships: list[Membership], repeat: RepeatApplication | None) -> Draft:
    from rankfile.membership.services.payments import format_pence
    from rankfile.membership.services.status import ENDED, GOOD_STANDING

    current = next((m for m in memberships if m.status in GOOD_STANDING), None)
    pending = next((m for m in memberships if m.status == Membership.Status.APPLIED), None)
    ended = next((m for m in memberships if m.status in ENDED), None) if (
        current is None and pending is None) else None
    return _draft("someone applied to join with your e-mail address",
                  "emails/join_known_address.txt", {
                      "as_a": f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name.lower()}",
                      "repeat": repeat,
                      "amount": format_pence(repeat.amount_pence)
                      if repeat and repeat.amount_pence else "",
                      "current": current, "pending": pending, "ended": ended,
                      "office": settings.MEMBERSHIP_OFFICE_EMAIL,
                      "login_link": settings.SITE_URL + settings.LOGIN_URL,
                      "reset_link": settings.SITE_URL + reverse("account_reset_password"),
                  }, email, purpose="join_known_address", key=key)


def _repeat_notice_draft(repeat: RepeatApplication) -> Draft:
    """The notice for a known address. One per address per hour at most (its key
    says the address and the hour), so the form cannot flood an inbox."""
    email = repeat.user.email
    # The address hashed: a key fits 200 characters, an address may have 254.
    key = (f"{hashlib.sha256(email.encode()).hexdigest()[:32]}:"
           f"{repeat.applied_at.astimezone(dt.UTC):%Y-%m-%dT%H}")
    return _notice_draft(email=email, name=repeat.category.name, key=key, repeat=repeat,
                         memberships=list(repeat.user.memberships.select_related("category")
                                          .order_by("-applied_at")))


@contextmanager
def _batch(rows: QuerySet[M], limit: int) -> Iterator[list[M]]:
    """The first ``limit`` of ``rows``; on PostgreSQL locked until the block ends, so
    that another worker takes the next ones. SQLite has one writer at a time: its
    rows are read outside the write lock, and two workers may draft the same
    e-mails, which the outbox's keys queue once."""
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            yield list(rows.select_for_update(skip_locked=True, of=("self",))[:limit])
    else:
        yield list(rows[:limit])


def _sweep(rows: QuerySet[M], draft: Callable[[M], Draft], flag: str, limit: int) -> int:
    """Queue the e-mail of each due row in ``rows`` and clear its ``flag``; how many."""
    with _batch(rows.filter(**{flag: True}).order_by("pk"), limit) as due:
        if not due:
            return 0
        drafts: list[Draft] = []
        for row in due:
            try:
                drafts.append(draft(row))
            except DatabaseError:  # the transaction is done for: the batch stays due
                raise
            except Exception:  # noqa: BLE001 - one broken row must not hold up the rest
                logger.exception("%s pk=%s: its e-mail could not be drafted; not sent.",
                                 type(row).__name__, row.pk)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    outbox_enqueue_many(drafts)
            except Refusal:  # one bad message: the others one at a time
                for one in drafts:
                    try:
                        with transaction.atomic():
                            outbox_enqueue_many([one])
                    except Refusal:
                        logger.exception("%s: refused by the outbox; not sent.", one.key)
            type(due[0])._default_manager.filter(pk__in=[row.pk for row in due]).update(
                **{flag: False})
    return len(due)


def confirmations_queue(limit: int = SWEEP_BATCH) -> int:
    """Queue the confirmation e-mail of up to ``limit`` sign-ups that await one
    (``Membership.confirmation_due``); returns how many. Safe to run twice, and
    in several workers at once."""
    # m.payments.all() below: the pending ones only, read for the whole batch at once.
    pending = Prefetch("payments", queryset=Payment.objects.filter(status=Payment.Status.PENDING)
                       .order_by("created_at"))
    rows = Membership.objects.select_related("user", "category").prefetch_related(pending)
    return _sweep(rows, lambda m: _confirmation_draft(m, next(iter(m.payments.all()), None)),
                  "confirmation_due", limit)


def known_address_notices_queue(limit: int = SWEEP_BATCH) -> int:
    """Queue the notice of up to ``limit`` applications made with a known address
    (``RepeatApplication.notice_due``); returns how many. Safe to run twice."""
    rows = RepeatApplication.objects.select_related("user", "category")
    return _sweep(rows, _repeat_notice_draft, "notice_due", limit)


@task()
def send_confirmation(*, reference: str) -> None:
    """Queue a joiner's confirmation e-mail: the job that versions before
    ``Membership.confirmation_due`` queued with each sign-up (see above)."""
    membership = Membership.objects.select_related("user", "category").get(reference=reference)
    payment = membership.payments.filter(status=Payment.Status.PENDING).first()
    _enqueue(_confirmation_draft(membership, payment))


@task(takes_context=True)
def send_known_address_notice(context: TaskContext, *, reference: str = "", email: str = "",
                              category: str = "") -> None:
    """Queue the notice to a known address's owner: the job that earlier versions
    queued with each such application (by the ``RepeatApplication``'s reference;
    older ones by ``email`` and ``category``)."""
    repeat = (RepeatApplication.objects.select_related("user", "category")
              .filter(reference=reference).first() if reference else None)
    if repeat is not None:
        _enqueue(_repeat_notice_draft(repeat))
        return
    name = Category.objects.filter(kind=category).values_list("name", flat=True).first() \
        or category
    memberships = list(Membership.objects.filter(user__email=email)
                       .select_related("category").order_by("-applied_at"))
    _enqueue(_notice_draft(email=email, name=name,
                           key=str(context.task_result.id), repeat=None,
                           memberships=memberships))


@task()
def send_receipt(*, payment_id: int) -> None:
    """E-mail the receipt for a recorded payment."""
    from rankfile.membership.services.payments import format_pence

    payment = Payment.objects.select_related("membership__user", "membership__category").get(
        pk=payment_id)
    _send(f"receipt {payment.receipt_number}", "emails/payment_receipt.txt", {
        "payment": payment,
        "membership": payment.membership,
        "amount": format_pence(payment.amount_pence),
        "link": settings.SITE_URL + reverse("membership:receipt", args=[payment.reference]),
    }, payment.membership.user.email, purpose="payment_receipt", key=str(payment_id))


@task()
def send_resignation_confirmation(*, status_change_id: int) -> None:
    """E-mail a member that their resignation is recorded, whoever recorded it.

    By the resignation's history row, so a second run sends the same e-mail about
    the same resignation, never one about a later change.
    """
    change = StatusChange.objects.select_related("membership__user", "membership__category").get(
        pk=status_change_id)
    membership = change.membership
    _send("your resignation", "emails/resignation.txt", {
        "membership": membership,
        "change": change,
        "by_member": change.by_id == membership.user_id,
        "join_link": settings.SITE_URL + reverse("membership:join"),
    }, membership.user.email, purpose="resignation", key=str(status_change_id))


@task()
def send_placement_declined(*, branch_change_id: int) -> None:
    """Tell someone that no branch of ours covers their postcode, and what that means."""
    change = BranchChange.objects.select_related("membership__user", "membership__category").get(
        pk=branch_change_id)
    membership = change.membership
    _send("your local branch", "emails/placement_declined.txt", {
        "membership": membership,
        "postcode": change.to_postcode,
        "branches_link": settings.SITE_URL + reverse("branches:index"),
        "office": settings.MEMBERSHIP_OFFICE_EMAIL,
    }, membership.user.email, purpose="placement_declined", key=str(branch_change_id))


@task()
def send_email(*, to: str, subject: str, body: str, purpose: str, key: str) -> None:
    """Queue in the outbox an e-mail that ``member_mail`` queued as a job before the outbox.

    ``member_mail`` now queues in the outbox itself; this runs the jobs queued
    by earlier versions.
    """
    outbox_enqueue(to=to, subject=subject, body=body, purpose=purpose, key=key)


@task()
def expire_unpaid() -> int:
    """Expire applications not paid in time (run it hourly, or use ``manage.py expire_unpaid``).

    Acts as the system."""
    from rankfile.core.actors import System
    from rankfile.membership.services.payments import membership_expire_unpaid

    return membership_expire_unpaid(by=System("expire_unpaid job"))


@task()
def dues_daily() -> str:
    """Remind members behind with their dues, then move them into arrears or lapse.

    Run it once a day (``rankfile dues_run`` enqueues it); running it twice is harmless.
    """
    from rankfile.core.actors import System
    from rankfile.membership.services.dues import dues_run

    return str(dues_run(by=System("dues job")))


@task()
def stripe_refund_send(*, refund_id: int) -> str:
    """Ask Stripe to make a refund requested by ``payment_refund``; safe to run twice."""
    from rankfile.membership.services.refunds import refund_send_to_stripe

    return refund_send_to_stripe(refund_id=refund_id)
