import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from rankfile.core.actors import SYSTEM
from rankfile.core.errors import NotFound, Refusal
from rankfile.demo.personas import make_user
from rankfile.membership.models import DuesReminder, Membership, Payment
from rankfile.membership.services.dues import (
    Dues,
    Rules,
    add_periods,
    dues_of,
    dues_payment_create,
    dues_run,
    periods_started,
)
from rankfile.membership.services.payments import payment_record
from rankfile.membership.tasks import dues_daily
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import make_offers, run_tasks
from rankfile.membership.tests.race import needs_postgresql, race
from rankfile.outbox.models import OutboxMessage

S = Membership.Status
RULES = Rules(arrears_after_days=60, lapse_after_days=240, notice_days=14)


# -- periods --------------------------------------------------------------------------------


def test_it_keeps_the_day_of_the_month_where_the_month_has_it():
    start = dt.date(2027, 1, 31)

    assert [dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2028, 2, 29)] == [
        add_periods(start, n, "monthly") for n in (1, 2, 13)]
    assert dt.date(2029, 2, 28) == add_periods(dt.date(2028, 2, 29), 1, "yearly")


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2080, 1, 1)),
       st.integers(min_value=0, max_value=400), st.sampled_from(["monthly", "yearly"]))
def test_it_counts_a_period_as_started_on_its_first_day_and_not_before(start, k, period):
    begins = add_periods(start, k, period)

    assert k + 1 == periods_started(start, begins, period)
    assert k == periods_started(start, begins - dt.timedelta(days=1), period)


# -- where a member stands ------------------------------------------------------------------


@pytest.fixture
def offers(area):
    return make_offers()


def member_owing(area, offers, *, overdue_days: int, status: str = S.ACTIVE,
                 email: str | None = None) -> Membership:
    """A £4.50-a-month member whose oldest unpaid month fell due ``overdue_days`` ago."""
    today = timezone.localdate()
    user = make_user(email) if email else None
    member = make_member_in(area, user, rate=offers.standard, status=status)
    # Joined a year before the unpaid month began, and paid those twelve months.
    due = today - dt.timedelta(days=overdue_days)
    joined = add_periods(due, -12, "monthly")
    Membership.objects.filter(pk=member.pk).update(joined_on=joined)
    make_payment(member, amount_pence=450 * 12, periods=12, method="bank")
    member.refresh_from_db()
    assert due == standing(member).paid_through
    return member


def standing(member: Membership) -> Dues:
    dues = dues_of(member)
    assert dues is not None, "no dues: has the member a rate?"
    return dues


def test_it_works_out_what_is_owed_from_the_payments(area, offers):
    member = member_owing(area, offers, overdue_days=40)

    dues = standing(member)

    assert (2, 900, 40) == (dues.owed_periods, dues.owed_pence, dues.overdue_days)
    assert dues.describe().startswith("£9.00 owed: 2 months, since ")


def test_it_does_not_count_a_refunded_payment(area, offers):
    member = member_owing(area, offers, overdue_days=5)
    make_payment(member, amount_pence=450, periods=1, status=Payment.Status.REFUNDED)

    assert 1 == standing(member).owed_periods


def test_it_counts_nothing_for_members_without_dues(area, offers):
    supporter = make_member_in(area)

    assert dues_of(supporter) is None


# -- the daily job --------------------------------------------------------------------------


def statuses(*members):
    return [Membership.objects.get(pk=m.pk).status for m in members]


def test_it_reminds_before_arrears_then_moves_the_member_after_the_notice(area, offers, _clock):
    member = member_owing(area, offers, overdue_days=47)

    report = dues_run(rules=RULES, by=SYSTEM)
    run_tasks()

    assert (1, [S.ACTIVE]) == (report.reminded[DuesReminder.Step.ARREARS], statuses(member))
    [reminder] = mail.outbox
    assert "your dues are overdue" in reminder.subject
    assert "£9.00 owed: 2 months" in reminder.body and "will be in arrears" in reminder.body

    _clock.shift(dt.timedelta(days=14))
    report = dues_run(rules=RULES, by=SYSTEM)

    assert (1, [S.IN_ARREARS]) == (report.in_arrears, statuses(member))
    change = member.history.order_by("at", "pk").reverse()[0]
    assert change.reason.startswith("Dues unpaid for more than 60 days: £")


def test_it_is_safe_to_run_twice(area, offers):
    member = member_owing(area, offers, overdue_days=47)

    dues_run(rules=RULES, by=SYSTEM)
    second = dues_run(rules=RULES, by=SYSTEM)
    run_tasks()

    assert 0 == second.reminded[DuesReminder.Step.ARREARS]
    assert (1, 1) == (len(mail.outbox), DuesReminder.objects.filter(membership=member).count())


def test_it_gives_the_full_notice_when_the_job_did_not_run_for_a_while(area, offers, _clock):
    member = member_owing(area, offers, overdue_days=100)

    dues_run(rules=RULES, by=SYSTEM)
    assert [S.ACTIVE] == statuses(member)  # reminded first, even this late
    _clock.shift(dt.timedelta(days=13))
    dues_run(rules=RULES, by=SYSTEM)
    assert [S.ACTIVE] == statuses(member)
    _clock.shift(dt.timedelta(days=1))
    dues_run(rules=RULES, by=SYSTEM)

    assert [S.IN_ARREARS] == statuses(member)


def test_it_reminds_then_lapses_a_member_long_in_arrears(area, offers, _clock):
    member = member_owing(area, offers, overdue_days=230, status=S.IN_ARREARS)

    dues_run(rules=RULES, by=SYSTEM)
    run_tasks()
    assert "will lapse" in mail.outbox[0].body
    _clock.shift(dt.timedelta(days=14))
    report = dues_run(rules=RULES, by=SYSTEM)

    assert (1, [S.LAPSED]) == (report.lapsed, statuses(member))


def test_it_leaves_members_who_are_paid_up_or_barely_behind(area, offers):
    paid_up = member_owing(area, offers, overdue_days=-20)
    behind = member_owing(area, offers, overdue_days=40)

    report = dues_run(rules=RULES, by=SYSTEM)

    assert 0 == report.checked + len(mail.outbox)
    assert [S.ACTIVE, S.ACTIVE] == statuses(paid_up, behind)


def test_it_makes_a_member_who_caught_up_active_again(area, offers):
    member = member_owing(area, offers, overdue_days=70, status=S.IN_ARREARS)
    make_payment(member, amount_pence=900, periods=2, method="bank")

    report = dues_run(rules=RULES, by=SYSTEM)

    assert (1, [S.ACTIVE]) == (report.active_again, statuses(member))


def test_it_reminds_again_for_a_new_debt(area, offers, _clock):
    member = member_owing(area, offers, overdue_days=50)
    dues_run(rules=RULES, by=SYSTEM)
    make_payment(member, amount_pence=450 * 3, periods=3, method="bank")  # caught up, and ahead
    _clock.shift(dt.timedelta(days=100))

    dues_run(rules=RULES, by=SYSTEM)

    assert 2 == DuesReminder.objects.filter(membership=member).count()


def test_it_settles_arrears_the_moment_a_dues_payment_is_recorded(area, offers, staff):
    member = member_owing(area, offers, overdue_days=70, status=S.IN_ARREARS)
    dues = dues_payment_create(membership=member, by=member.user)
    assert (1350, 3) == (dues.amount_pence, dues.periods)

    payment_record(payment=dues, method="cash", amount_pence=1350, recorded_by=staff)

    member.refresh_from_db()
    assert S.ACTIVE == member.status
    assert member.history.order_by("at", "pk").reverse()[0].reason.startswith(
        "Dues paid: Paid up to ")


def test_it_runs_from_the_command_through_the_job_queue(area, offers):
    member = member_owing(area, offers, overdue_days=47)

    call_command("dues_run")
    assert 1 == DBTaskResult.objects.filter(task_path__endswith="dues_daily").count()
    run_tasks()

    assert 1 == DuesReminder.objects.filter(membership=member).count()
    assert "reminders sent: 0 before arrears" in dues_daily.call()  # the task, run again


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_sends_one_reminder_when_two_workers_run_at_once(area):
    """The second run reaches the member while the first still holds its transaction open."""
    member = member_owing(area, make_offers(), overdue_days=47)

    first, second = race(lambda: dues_run(rules=RULES, by=SYSTEM), lambda: dues_run(rules=RULES, by=SYSTEM))

    assert (1, 0) == (first.result.reminded[DuesReminder.Step.ARREARS],
                      second.result.reminded[DuesReminder.Step.ARREARS])
    assert 1 == DuesReminder.objects.filter(membership=member).count()
    assert 1 == OutboxMessage.objects.filter(to=member.user.email).count()


# -- paying dues ----------------------------------------------------------------------------


def test_it_makes_one_payment_for_what_is_owed(area, offers):
    member = member_owing(area, offers, overdue_days=40)

    first = dues_payment_create(membership=member, by=member.user)
    second = dues_payment_create(membership=member, by=member.user)

    assert first == second
    assert (Payment.Status.PENDING, 900, 2) == (first.status, first.amount_pence, first.periods)


def test_it_offers_the_next_month_to_a_member_who_owes_nothing(area, offers):
    member = member_owing(area, offers, overdue_days=-10)

    assert 450 == dues_payment_create(membership=member, by=member.user).amount_pence


def test_it_refuses_dues_for_someone_else_or_a_lapsed_member(area, offers):
    member = member_owing(area, offers, overdue_days=40)
    lapsed = member_owing(area, offers, overdue_days=300, status=S.LAPSED)

    with pytest.raises(NotFound):
        dues_payment_create(membership=member, by=make_user("someone@example.org"))
    with pytest.raises(Refusal) as e:
        dues_payment_create(membership=lapsed, by=lapsed.user)

    assert "not_in_good_standing" == e.value.code
    assert 0 == Payment.objects.filter(status=Payment.Status.PENDING).count()


def test_it_shows_the_dues_and_takes_the_member_to_pay(client, area, offers):
    member = member_owing(area, offers, overdue_days=40)
    client.force_login(member.user)

    page = client.get(f"/me/dues/{member.reference}/").content.decode()
    response = client.post(f"/me/dues/{member.reference}/", {"action": "pay"})

    assert "£9.00 owed: 2 months" in page and "Pay £9.00 now" in page
    assert "Set up a Direct Debit" not in page  # Stripe is not set up here
    dues = member.payments.get(status=Payment.Status.PENDING)
    assert f"/me/pay/{dues.reference}/" == response["Location"]
    home = client.get("/me/").content.decode()
    assert "£9.00 owed: 2 months" in home


def test_it_refuses_an_unknown_action_on_the_dues_page(client, area, offers):
    member = member_owing(area, offers, overdue_days=40)
    client.force_login(member.user)

    assert 400 == client.post(f"/me/dues/{member.reference}/", {"action": "x"}).status_code
    assert 404 == client.get("/me/dues/RF-NOTMINE1/").status_code
