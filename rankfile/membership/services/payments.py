"""Payments: the provider interface, the offline provider, and expiring unpaid applications.

A provider tells the joiner how to pay a pending ``Payment``. The offline
provider shows a reference to quote; membership staff record the cash, cheque
or bank transfer against it with ``payment_record``, which activates the
membership and sends a receipt. (A card provider with webhooks comes later and
plugs in here.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.access import (
    access_payment,
    can_expire_applications,
    can_record_payments,
)
from rankfile.membership.models import GOOD_STANDING, Membership, Payment
from rankfile.membership.services.references import clean_reference, new_reference
from rankfile.membership.services.status import _set_status

__all__ = ["OFFLINE_METHODS", "access_payment", "can_record_payments", "format_pence",
           "membership_expire_unpaid", "payment_instructions", "payment_list", "payment_record"]

S = Membership.Status
OFFLINE_METHODS = (Payment.Method.CASH, Payment.Method.CHEQUE, Payment.Method.BANK)


def format_pence(pence: int) -> str:
    """'£25.00', '£1,234.50'."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


class PaymentProvider(Protocol):
    name: str

    def instructions(self, payment: Payment) -> dict[str, object]: ...


@dataclass(frozen=True)
class BankAccount:
    """Where to pay by bank transfer (``settings.PAYMENT_BANK_*``)."""

    account_name: str
    sort_code: str  # "12-34-56"
    account_number: str  # eight digits

    def as_dict(self) -> dict[str, str]:
        return {"account_name": self.account_name, "sort_code": self.sort_code,
                "account_number": self.account_number}


def bank_account() -> BankAccount | None:
    """The organisation's bank account from the settings, or None if it is not set.

    The system check ``membership.E001`` refuses a half-set or misshapen one, so
    a set account here is complete.
    """
    name = settings.PAYMENT_BANK_ACCOUNT_NAME
    sort_code = "".join(c for c in settings.PAYMENT_BANK_SORT_CODE if c.isdigit())
    number = "".join(c for c in settings.PAYMENT_BANK_ACCOUNT_NUMBER if c.isdigit())
    if not (name and sort_code and number):
        return None
    return BankAccount(account_name=name,
                       sort_code=f"{sort_code[:2]}-{sort_code[2:4]}-{sort_code[4:]}",
                       account_number=number)


class OfflineProvider:
    """Pay by bank transfer, cheque or cash, quoting the payment reference."""

    name = "offline"

    def instructions(self, payment: Payment) -> dict[str, object]:
        amount = format_pence(payment.amount_pence)
        bank = bank_account()
        office = settings.MEMBERSHIP_OFFICE_EMAIL
        hours = settings.UNPAID_APPLICATION_EXPIRY_HOURS
        keep = f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"
        if bank is not None:
            pay_to = (f"{bank.account_name}, sort code {bank.sort_code}, "
                      f"account number {bank.account_number}")
            how = (f"Pay {amount} by bank transfer to {pay_to}, or by cheque or cash to "
                   f"membership staff, quoting the reference {payment.reference}.")
        else:
            pay_to = f"ask the membership office ({office}) for the bank details"
            how = (f"To pay {amount} by bank transfer, ask the membership office ({office}) "
                   "for the bank details; or pay by cheque or cash to membership staff. "
                   f"Quote the reference {payment.reference}.")
        return {
            "reference": payment.reference,
            "amount_pence": payment.amount_pence,
            "amount": amount,
            "pay_to": pay_to,
            "bank": bank.as_dict() if bank is not None else None,
            "instructions": (
                f"{how} Your membership starts when your payment is recorded; we keep "
                f"your application for {keep}, then it expires."
            ),
        }


PROVIDERS: dict[str, PaymentProvider] = {"offline": OfflineProvider()}


def payment_instructions(payment: Payment) -> dict[str, object]:
    """How to pay ``payment``: ``reference``, ``amount_pence``, ``amount``, ``pay_to``,
    ``bank`` (``account_name``, ``sort_code``, ``account_number``, or None when the
    account is not set: then ``pay_to`` says to ask the membership office) and
    ``instructions`` (plain text). Reads nothing from the database."""
    return PROVIDERS[payment.provider or "offline"].instructions(payment)


def payment_list(*, query: str, by: Actor, limit: int = 20) -> list[Payment]:
    """Payments whose reference is ``query``, or whose payer's name or e-mail contains it.

    Raises:
        PermissionRefused: ``by`` may not record payments.
    """
    if not can_record_payments(by):
        raise PermissionRefused("Only membership staff can record payments.", code="not_staff")
    query = " ".join((query or "").split())[:100]
    if not query:
        return []
    payments: QuerySet[Payment] = Payment.objects.select_related(
        "membership", "membership__user", "membership__category", "refund")
    reference = clean_reference(query)
    if reference.startswith(("PAY-", "RF-")):
        return list(payments.filter(Q(reference=reference) | Q(membership__reference=reference)))
    words = query.split()
    condition = (Q(membership__user__email__icontains=query)
                 | Q(membership__last_name__icontains=query)
                 | Q(membership__first_name__icontains=query))
    if len(words) > 1:  # "Ada Joiner"
        condition |= Q(membership__first_name__icontains=words[0]) & Q(
            membership__last_name__icontains=words[-1])
    return list(payments.filter(condition).order_by("-status", "-created_at")[:limit])


def payment_check_recordable(payment: Payment, membership: Membership, now: dt.datetime) -> None:
    """Refuse to record ``payment`` when it is paid already, or its membership cannot take it.

    Read the rows under a lock (``select_for_update``) before calling.

    Raises:
        Refusal: ``already_paid``, ``payment_expired`` or ``membership_ended``.
    """
    if payment.status in (Payment.Status.PAID, Payment.Status.REFUNDED):
        raise Refusal(
            f"Payment {payment.reference} was already recorded on "
            f"{dateformat.format(timezone.localtime(payment.paid_at), 'j F Y')} "
            f"(receipt {payment.receipt_number}). Do not record it twice.",
            code="already_paid", field=None,
        )
    expired = membership.status == S.EXPIRED or (
        membership.status == S.APPLIED and membership.expires_at is not None
        and membership.expires_at <= now)
    if payment.status == Payment.Status.CANCELLED or expired:
        raise Refusal(
            f"The application {membership.reference} expired unpaid, so payment "
            f"{payment.reference} cannot be recorded. Return the money, or ask them to "
            "apply again.", code="payment_expired", field=None,
        )
    from rankfile.membership.services.rejoin import may_take_arrears

    rejoining = (membership.status == S.LAPSED and bool(payment.periods)
                 and may_take_arrears(membership, now))
    if membership.status not in (S.APPLIED, *GOOD_STANDING) and not rejoining:
        raise Refusal(
            f"The membership {membership.reference} is "
            f"{membership.get_status_display().lower()}; a payment cannot be recorded "
            "against it.", code="membership_ended", field=None,
        )


def payment_mark_paid(*, payment: Payment, membership: Membership, method: str,
                      paid_at: dt.datetime, by: Actor, note: str, now: dt.datetime,
                      provider: str | None = None, external_id: str = "",
                      card_fingerprint: str | None = None) -> Payment:
    """Record ``payment`` as paid: receipt, activation of an application, arrears settled.

    The one way a payment becomes paid, whoever took the money (staff, a bank
    statement, Stripe). The caller holds both rows locked in a transaction, has
    checked them with ``payment_check_recordable`` and has checked who may
    record it (``access.can_record_payments``; Stripe's signature for its
    webhook); the receipt e-mail is enqueued in that transaction.
    """
    from rankfile.membership.services.dues import dues_settle
    from rankfile.membership.tasks import send_receipt

    payment.status = Payment.Status.PAID
    payment.method = method
    payment.paid_at = paid_at
    payment.recorded_by = by if isinstance(by, User) else None
    payment.note = note
    payment.receipt_number = new_reference("RCP-")
    fields = ["status", "method", "paid_at", "recorded_by", "note", "receipt_number"]
    if provider is not None:
        payment.provider = provider
        fields.append("provider")
    if external_id:
        payment.external_id = external_id
        fields.append("external_id")
    if card_fingerprint:
        payment.card_fingerprint = card_fingerprint
        fields.append("card_fingerprint")
    if payment.pk is None:
        payment.save()
    else:
        payment.save(update_fields=fields)
    if membership.status == S.APPLIED:
        _set_status(
            membership=membership, status=S.ACTIVE, by=by, at=now,
            reason=f"Payment {payment.reference} received by "
                   f"{Payment.Method(method).label.lower()}",
        )
    elif payment.periods:
        dues_settle(membership=membership, at=now, by=by)
    send_receipt.enqueue(payment_id=payment.pk)
    payment.membership = membership
    return payment


def payment_record(*, payment: Payment, method: str, amount_pence: int, recorded_by: Actor,
                   note: str = "", paid_at: dt.datetime | None = None) -> Payment:
    """Record an offline payment received by staff; activate the membership; send a receipt.

    One transaction, with the membership row locked, so two staff recording the
    same cheque at once record it once.

    Raises:
        PermissionRefused: ``recorded_by`` is not membership staff.
        Refusal: wrong method or amount, or the payment is already paid, cancelled or expired.
    """
    if not can_record_payments(recorded_by):
        raise PermissionRefused("Only membership staff can record payments.", code="not_staff")
    if method not in OFFLINE_METHODS:
        raise Refusal("Choose how it was paid: cash, cheque or bank transfer.",
                      code="invalid_method", field="method")
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise Refusal("Keep the note to 300 characters or fewer.", code="too_long", field="note")
    now = timezone.now()
    paid_at = paid_at or now
    if paid_at > now + dt.timedelta(minutes=5):
        raise Refusal("The payment date cannot be in the future.", code="future_payment",
                      field="paid_at")

    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=payment.membership_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment_check_recordable(payment, membership, now)
        if amount_pence != payment.amount_pence:
            raise Refusal(
                f"Payment {payment.reference} is for {format_pence(payment.amount_pence)}, "
                f"not {format_pence(max(0, amount_pence))}. Check the amount received.",
                code="amount_mismatch", field="amount",
            )
        return payment_mark_paid(payment=payment, membership=membership, method=method,
                                 paid_at=paid_at, by=recorded_by, note=note, now=now)


def membership_expire_unpaid(*, by: Actor, now: dt.datetime | None = None,
                             limit: int = 1000) -> int:
    """Expire applications whose fee was not paid in time, and cancel their payments.

    ``by`` is the system for the hourly job (``rankfile expire_unpaid``).

    Returns:
        How many applications expired.

    Raises:
        PermissionRefused: ``by`` is neither the system nor national staff.
    """
    if not can_expire_applications(by):
        raise PermissionRefused("Only membership staff can expire unpaid applications.",
                                code="not_staff")
    now = now or timezone.now()
    due = list(
        Membership.objects.filter(status=S.APPLIED, expires_at__lte=now)
        .order_by("expires_at").values_list("pk", flat=True)[:limit]
    )
    hours = settings.UNPAID_APPLICATION_EXPIRY_HOURS
    expired = 0
    for pk in due:
        with transaction.atomic():
            membership = Membership.objects.select_for_update().get(pk=pk)
            # Paid or changed since the list was read: leave it.
            if membership.status != S.APPLIED or membership.expires_at is None \
                    or membership.expires_at > now:
                continue
            _set_status(membership=membership, status=S.EXPIRED, at=now, by=by,
                        reason=f"Not paid within {hours} hours of applying")
            membership.payments.filter(status=Payment.Status.PENDING).update(
                status=Payment.Status.CANCELLED)
            expired += 1
    return expired
