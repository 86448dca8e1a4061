"""Background jobs of the membership app (Django's Tasks API, database backend).

Services enqueue these inside their own transaction, so a job exists exactly
when the change it belongs to was committed. Jobs take primary keys, not
objects, and read the row afresh when they run. E-mails go through the outbox,
under a key that names the message, so a job run twice queues each one once.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.urls import reverse
from django_tasks import TaskContext, task

from rankfile.membership.models import BranchChange, Category, Membership, Payment, StatusChange
from rankfile.outbox.services import outbox_enqueue, outbox_render


def _send(subject: str, template: str, context: dict[str, object], to: str, *,
          purpose: str, key: str) -> None:
    rendered = outbox_render(template=template, context=context, subject=subject)
    outbox_enqueue(to=to, subject=rendered.subject, body=rendered.body,
                   html_body=rendered.html_body, purpose=purpose, key=f"{purpose}:{key}")


@task()
def send_confirmation(*, reference: str) -> None:
    """E-mail a joiner the link that confirms their address, with how to pay if a fee is due.

    By the membership's reference, known before the row is written, so that
    the job goes into the same INSERT as the membership.
    """
    from rankfile.membership.services.joining import confirmation_token
    from rankfile.membership.services.payments import payment_instructions
    from rankfile.membership.services.stripe_provider import stripe_configured

    membership = Membership.objects.select_related("user", "category").get(reference=reference)
    payment = membership.payments.filter(status=Payment.Status.PENDING).first()
    link = settings.SITE_URL + reverse("membership:confirm",
                                       args=[confirmation_token(membership.user)])
    _send("confirm your e-mail address", "emails/join_confirmation.txt", {
        "membership": membership,
        "link": link,
        "payment": payment_instructions(payment) if payment else None,
        "card_payments": stripe_configured(),
    }, membership.user.email, purpose="join_confirmation", key=reference)


@task(takes_context=True)
def send_known_address_notice(context: TaskContext, *, reference: str = "", email: str = "",
                              category: str = "") -> None:
    """Tell the owner of a known address that someone applied with it, and what
    happens next: nothing for a member in good standing; for someone whose
    membership ended, that staff have their application to join again.

    By the ``RepeatApplication``'s reference (``email`` and ``category``: jobs
    queued by earlier versions). One notice per address per hour at most, so
    the form cannot flood an inbox: the outbox keeps the rest back.
    """
    from django.utils import timezone

    from rankfile.membership.models import RepeatApplication
    from rankfile.membership.services.payments import format_pence
    from rankfile.membership.services.status import ENDED, GOOD_STANDING

    repeat = (RepeatApplication.objects.select_related("user", "category")
              .filter(reference=reference).first() if reference else None)
    if repeat is not None:
        email, name = repeat.user.email, repeat.category.name
        hour = repeat.applied_at
        memberships = list(repeat.user.memberships.select_related("category")
                           .order_by("-applied_at"))
    else:
        name = Category.objects.filter(kind=category).values_list("name", flat=True).first() \
            or category
        hour = timezone.now()
        memberships = list(Membership.objects.filter(user__email=email)
                           .select_related("category").order_by("-applied_at"))
    current = next((m for m in memberships if m.status in GOOD_STANDING), None)
    pending = next((m for m in memberships if m.status == Membership.Status.APPLIED), None)
    ended = next((m for m in memberships if m.status in ENDED), None) if (
        current is None and pending is None) else None
    _send("someone applied to join with your e-mail address", "emails/join_known_address.txt", {
        "as_a": f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name.lower()}",
        "repeat": repeat,
        "amount": format_pence(repeat.amount_pence) if repeat and repeat.amount_pence else "",
        "current": current, "pending": pending, "ended": ended,
        "office": settings.MEMBERSHIP_OFFICE_EMAIL,
        "login_link": settings.SITE_URL + settings.LOGIN_URL,
        "reset_link": settings.SITE_URL + reverse("account_reset_password"),
    }, email, purpose="join_known_address",
        # The address hashed: a key fits 200 characters, an address may have 254.
        key=f"{hashlib.sha256(email.encode()).hexdigest()[:32]}:"
            f"{hour.astimezone(dt.UTC):%Y-%m-%dT%H}" if reference
        else str(context.task_result.id))


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
