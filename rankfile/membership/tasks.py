"""Background jobs of the membership app (Django's Tasks API, database backend).

Services enqueue these inside their own transaction, so a job exists exactly
when the change it belongs to was committed. Jobs take primary keys, not
objects, and read the row afresh when they run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from rankfile.membership.models import Category, Membership, Payment


def _send(subject: str, template: str, context: dict[str, object], to: str) -> None:
    context = {"ORGANISATION_NAME": settings.ORGANISATION_NAME, "SITE_URL": settings.SITE_URL,
               **context}
    body = render_to_string(template, context)
    send_mail(f"{settings.ORGANISATION_NAME}: {subject}", body, None, [to])


@task()
def send_confirmation(*, reference: str) -> None:
    """E-mail a joiner the link that confirms their address, with how to pay if a fee is due.

    By the membership's reference, known before the row is written, so that
    the job goes into the same INSERT as the membership.
    """
    from rankfile.membership.services.joining import confirmation_token
    from rankfile.membership.services.payments import payment_instructions

    membership = Membership.objects.select_related("user", "category").get(reference=reference)
    payment = membership.payments.filter(status=Payment.Status.PENDING).first()
    link = settings.SITE_URL + reverse("membership:confirm",
                                       args=[confirmation_token(membership.user)])
    _send("confirm your e-mail address", "emails/join_confirmation.txt", {
        "membership": membership,
        "link": link,
        "payment": payment_instructions(payment) if payment else None,
    }, membership.user.email)


@task()
def send_known_address_notice(*, email: str, category: str) -> None:
    """Tell the owner of a known address that someone tried to join with it."""
    name = Category.objects.filter(kind=category).values_list("name", flat=True).first()
    _send("someone tried to join with your e-mail address", "emails/join_known_address.txt", {
        "as_a": f"{'an' if (name or category)[:1].lower() in 'aeiou' else 'a'} "
                f"{(name or category).lower()}",
        "login_link": settings.SITE_URL + settings.LOGIN_URL,
        "reset_link": settings.SITE_URL + reverse("account_reset_password"),
    }, email)


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
    }, payment.membership.user.email)


@task()
def expire_unpaid() -> int:
    """Expire applications not paid in time (run it hourly, or use ``manage.py expire_unpaid``).

    Acts as the system."""
    from rankfile.core.actors import System
    from rankfile.membership.services.payments import membership_expire_unpaid

    return membership_expire_unpaid(by=System("expire_unpaid job"))
