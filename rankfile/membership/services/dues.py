"""Recurring dues: arrears worked out from payments, and the daily move into arrears or lapse.

The rules (settings, read when they run; docs/dues.md states them for members):

- Dues fall due at the start of each period of the member's rate (monthly or
  yearly), counted from the day they joined (``joined_on``).
- Each paid, unrefunded payment pays for ``Payment.periods`` periods (a
  member's joining fee is one). What is owed is the periods started so far
  less the periods paid, at the current rate.
- A member is *overdue* from the day their oldest unpaid period started.
  Overdue more than ``DUES_ARREARS_AFTER_DAYS`` days: in arrears. More than
  ``DUES_LAPSE_AFTER_DAYS`` days: lapsed.
- Before each step a reminder is e-mailed, ``DUES_NOTICE_DAYS`` days ahead.
  No member takes a step without a reminder sent at least that many days
  before, even if the daily job did not run for a while.
- A member in arrears who pays enough to be overdue no more than
  ``DUES_ARREARS_AFTER_DAYS`` days is active again.

``dues_run`` is the daily job: idempotent and safe to run twice, even at once
(each member is changed under a row lock, and each reminder is a row with a
unique constraint written in the same transaction as its e-mail).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone

from rankfile.accounts.http import Actor, AnyUser
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.membership.access import can_run_dues
from rankfile.membership.models import GOOD_STANDING, DuesReminder, Membership, Payment, Rate
from rankfile.membership.services.mail import member_mail
from rankfile.membership.services.references import new_reference
from rankfile.membership.services.status import _set_status

logger = logging.getLogger(__name__)

S = Membership.Status


def add_periods(start: dt.date, count: int, period: str) -> dt.date:
    """``start`` moved on by ``count`` months or years, keeping its day where the month has it.

    31 January + 1 month is 28 (or 29) February; + 2 months is 31 March.
    """
    if period == Rate.Period.YEARLY:
        year, month = start.year + count, start.month
    else:
        months = start.month - 1 + count
        year, month = start.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def periods_started(start: dt.date, today: dt.date, period: str) -> int:
    """How many periods from ``start`` have begun by ``today`` (the first begins on ``start``)."""
    if today < start:
        return 0
    if period == Rate.Period.YEARLY:
        count = today.year - start.year
    else:
        count = (today.year - start.year) * 12 + today.month - start.month
    if add_periods(start, count, period) > today:
        count -= 1
    return count + 1


@dataclass(frozen=True)
class Dues:
    """Where a member stands on ``today``."""

    rate: Rate
    since: dt.date  # the day dues started: the first period's start
    today: dt.date
    periods_due: int
    periods_paid: int

    @property
    def owed_periods(self) -> int:
        return max(0, self.periods_due - self.periods_paid)

    @property
    def owed_pence(self) -> int:
        return self.owed_periods * self.rate.amount_pence

    @property
    def paid_through(self) -> dt.date:
        """The day the first unpaid period starts (dues are paid up to the day before)."""
        return add_periods(self.since, self.periods_paid, self.rate.period)

    @property
    def overdue_days(self) -> int:
        """Days since the oldest unpaid period started (0 when nothing is owed)."""
        return (self.today - self.paid_through).days if self.owed_periods else 0

    @property
    def period_word(self) -> str:
        return "month" if self.rate.period == Rate.Period.MONTHLY else "year"

    def describe(self) -> str:
        """'Paid up to 17 December 2026.' or 'You owe £9.00: 2 months, since 18 October 2026.'"""
        through = self.paid_through
        if not self.owed_periods:
            last = through - dt.timedelta(days=1)
            return f"Paid up to {dateformat.format(last, 'j F Y')}."
        count = self.owed_periods
        return (f"{_pounds(self.owed_pence)} owed: {count} {self.period_word}"
                f"{'s' if count != 1 else ''}, since {dateformat.format(through, 'j F Y')}.")


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def paid_periods(membership: Membership) -> int:
    """Periods paid for by the membership's paid payments (refunded ones are not paid)."""
    total = membership.payments.filter(status=Payment.Status.PAID).aggregate(
        n=Sum("periods"))["n"]
    return int(total or 0)


def dues_of(membership: Membership, *, today: dt.date | None = None,
            periods_paid: int | None = None) -> Dues | None:
    """Where ``membership`` stands with its dues; None if it pays none (no rate, or never joined)."""
    if membership.rate_id is None or membership.joined_on is None:
        return None
    today = today or timezone.localdate()
    rate = membership.rate
    assert rate is not None
    if periods_paid is None:
        periods_paid = paid_periods(membership)
    return Dues(rate=rate, since=membership.joined_on, today=today,
                periods_due=periods_started(membership.joined_on, today, rate.period),
                periods_paid=periods_paid)


# -- the rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    arrears_after_days: int
    lapse_after_days: int
    notice_days: int

    @classmethod
    def from_settings(cls) -> Rules:
        return cls(arrears_after_days=settings.DUES_ARREARS_AFTER_DAYS,
                   lapse_after_days=settings.DUES_LAPSE_AFTER_DAYS,
                   notice_days=settings.DUES_NOTICE_DAYS)


STEP_AFTER = {DuesReminder.Step.ARREARS: "arrears_after_days",
              DuesReminder.Step.LAPSE: "lapse_after_days"}


def dues_settle(*, membership: Membership, at: dt.datetime, by: Actor = None,
                rules: Rules | None = None) -> bool:
    """Make a member in arrears active again if their payments have caught up (and a
    lapsed member who paid all their arrears in time: ``rejoin.py``).

    Call it with the membership row locked, after recording a payment (whose
    recorder was checked: ``payment_mark_paid``).

    Returns:
        True when the member became active.
    """
    if membership.status == S.LAPSED:
        from rankfile.membership.services.rejoin import membership_reinstate_if_paid

        return membership_reinstate_if_paid(membership=membership, at=at, by=by)
    if membership.status != S.IN_ARREARS:
        return False
    rules = rules or Rules.from_settings()
    dues = dues_of(membership, today=timezone.localdate(at))
    if dues is None or dues.overdue_days > rules.arrears_after_days:
        return False
    _set_status(membership=membership, status=S.ACTIVE, at=at, by=by,
                reason=f"Dues paid: {dues.describe()}")
    return True


@dataclass
class DuesReport:
    """What one run of the daily job did."""

    checked: int = 0
    reminded: dict[str, int] = field(default_factory=lambda: {s: 0 for s in DuesReminder.Step})
    in_arrears: int = 0
    lapsed: int = 0
    active_again: int = 0

    def __str__(self) -> str:
        return (f"Checked {self.checked} members' dues: {self.in_arrears} now in arrears, "
                f"{self.lapsed} lapsed, {self.active_again} active again; reminders sent: "
                f"{self.reminded[DuesReminder.Step.ARREARS]} before arrears, "
                f"{self.reminded[DuesReminder.Step.LAPSE]} before lapsing.")


def _candidates(rules: Rules, today: dt.date) -> list[int]:
    """Members in good standing who may need a reminder or a step: one query, no loop of them.

    Paid periods come from a subquery; the owing is worked out here in Python
    for each row (cheap), and only those near a step are returned.
    """
    paid = (Payment.objects.filter(membership=OuterRef("pk"), status=Payment.Status.PAID)
            .order_by().values("membership").annotate(n=Sum("periods")).values("n"))
    rows = (Membership.objects.filter(status__in=(S.ACTIVE, S.IN_ARREARS), rate__isnull=False,
                                      joined_on__isnull=False)
            .annotate(paid=Coalesce(Subquery(paid, output_field=IntegerField()), Value(0)))
            .values_list("pk", "status", "joined_on", "rate__period", "paid"))
    first_notice = rules.arrears_after_days - rules.notice_days
    due: list[int] = []
    for pk, status, joined_on, period, paid_n in rows.iterator(chunk_size=5000):
        assert joined_on is not None
        owed = periods_started(joined_on, today, period) - paid_n
        overdue = (today - add_periods(joined_on, paid_n, period)).days if owed > 0 else 0
        if overdue > first_notice or status == S.IN_ARREARS:
            due.append(pk)
    return due


def dues_run(*, by: Actor, today: dt.date | None = None,
             rules: Rules | None = None) -> DuesReport:
    """The daily job: remind, then move members into arrears and lapse, as the rules say.

    Safe to run twice, and by two workers at once: each member is decided
    afresh under a lock, a step needs its reminder sent ``notice_days``
    before, and a reminder is recorded once (unique per member, step and debt)
    in the same transaction as its e-mail. ``by`` is the system for the job.

    Raises:
        PermissionRefused: ``by`` is neither the system nor national staff.
    """
    if not can_run_dues(by):
        raise PermissionRefused("Only membership staff can run the dues job.", code="not_staff")
    today = today or timezone.localdate()
    rules = rules or Rules.from_settings()
    report = DuesReport()
    for pk in _candidates(rules, today):
        report.checked += 1
        try:
            with transaction.atomic():
                _decide(pk, today, rules, report)
        except IntegrityError:
            # Another run sent this reminder a moment ago: nothing left to do.
            logger.info("dues: membership %s was reminded by another run", pk)
    return report


def _decide(pk: int, today: dt.date, rules: Rules, report: DuesReport) -> None:
    membership = (Membership.objects.select_for_update(of=("self",)).select_related("rate", "user")
                  .get(pk=pk))
    dues = dues_of(membership, today=today)
    if dues is None or membership.status not in (S.ACTIVE, S.IN_ARREARS):
        return
    now = timezone.now()
    if membership.status == S.IN_ARREARS and dues.overdue_days <= rules.arrears_after_days:
        _set_status(membership=membership, status=S.ACTIVE, at=now,
                    reason=f"Dues paid: {dues.describe()}")
        report.active_again += 1
        return
    step = DuesReminder.Step.ARREARS if membership.status == S.ACTIVE else DuesReminder.Step.LAPSE
    after = getattr(rules, STEP_AFTER[step])
    if dues.overdue_days <= after - rules.notice_days:
        return
    reminder = DuesReminder.objects.filter(membership=membership, step=step,
                                           due_on=dues.paid_through).first()
    if reminder is None:
        _remind(membership, dues, step, after, rules, now)
        report.reminded[step] += 1
        return
    if dues.overdue_days <= after:
        return
    if (today - timezone.localdate(reminder.sent_at)).days < rules.notice_days:
        return  # the reminder went late (the job did not run): give the notice it promised
    _set_status(membership=membership, status=step, at=now,
                reason=f"Dues unpaid for more than {after} days: {dues.describe()}")
    if step == DuesReminder.Step.ARREARS:
        report.in_arrears += 1
    else:
        report.lapsed += 1


def _remind(membership: Membership, dues: Dues, step: str, after: int, rules: Rules,
            now: dt.datetime) -> None:
    today = timezone.localdate(now)
    step_on = max(dues.paid_through + dt.timedelta(days=after + 1),
                  today + dt.timedelta(days=rules.notice_days))
    DuesReminder.objects.create(membership=membership, step=step, due_on=dues.paid_through,
                                sent_at=now)
    lapsing = step == DuesReminder.Step.LAPSE
    member_mail(
        to=membership.user.email,
        subject="your membership will lapse" if lapsing else "your dues are overdue",
        template="emails/dues_reminder.txt",
        context={"membership": membership, "dues": dues, "lapsing": lapsing,
                 "step_on": step_on, "owed": _pounds(dues.owed_pence),
                 "link": settings.SITE_URL + "/me/"},
        purpose="dues_reminder",
        key=f"dues:{membership.pk}:{step}:{dues.paid_through.isoformat()}",
    )


def dues_payment_create(*, membership: Membership, by: AnyUser | None,
                        periods: int | None = None,
                        now: dt.datetime | None = None) -> Payment:
    """A payment for ``membership``'s dues that its member can pay now (by any provider).

    By default it covers what is owed, or the next period when nothing is. A
    pending dues payment of the same amount is reused, so a second click does
    not make a second debt.

    Raises:
        NotFound: the membership is not ``by``'s.
        Refusal: it pays no dues, is not in good standing, or ``periods`` is not 1 to 12.
    """
    if by is None or not by.is_authenticated or membership.user_id != by.pk:
        raise NotFound("You have no membership with that reference.", code="unknown_membership")
    now = now or timezone.now()
    if membership.status not in GOOD_STANDING:
        raise Refusal(f"Your membership is {membership.get_status_display().lower()}, so there "
                      "are no dues to pay.", code="not_in_good_standing")
    dues = dues_of(membership, today=timezone.localdate(now))
    if dues is None:
        raise Refusal("Your membership has no dues to pay.", code="no_dues")
    periods = periods or max(1, dues.owed_periods)
    if not 1 <= periods <= 12:
        raise Refusal("Pay between 1 and 12 periods at a time.", code="invalid_periods",
                      field="periods")
    amount = periods * dues.rate.amount_pence
    with transaction.atomic():
        Membership.objects.select_for_update().only("pk").get(pk=membership.pk)
        existing = membership.payments.filter(status=Payment.Status.PENDING, periods=periods,
                                              amount_pence=amount).first()
        if existing is not None:
            return existing
        return Payment.objects.create(membership=membership, provider="offline",
                                      reference=new_reference("PAY-"), amount_pence=amount,
                                      created_at=now, periods=periods)
