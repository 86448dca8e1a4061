"""A member whose membership ended comes back, paying arrears or afresh."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Membership, Payment, StatusChange
from rankfile.membership.services.payments import payment_record
from rankfile.membership.services.rejoin import membership_rejoin, rejoin_options
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import make_offers

S = Membership.Status


@pytest.fixture
def offers(db):
    return make_offers()


def _lapsed(area, offers, *, lapsed_days_ago=30, joined_days_ago=400):
    """A standard-rate member who joined ``joined_days_ago``, paid 3 months, and lapsed."""
    today = timezone.localdate()
    m = make_member_in(area, category=offers.member, rate=offers.standard)
    joined = today - dt.timedelta(days=joined_days_ago)
    Membership.objects.filter(pk=m.pk).update(
        status=S.LAPSED, joined_on=joined, good_standing_since=None,
        ended_on=today - dt.timedelta(days=lapsed_days_ago))
    StatusChange.objects.filter(membership=m).update(
        at=timezone.now() - dt.timedelta(days=joined_days_ago))
    StatusChange.objects.create(membership=m, from_status=S.ACTIVE, to_status=S.LAPSED,
                                at=timezone.now() - dt.timedelta(days=lapsed_days_ago),
                                reason="Dues unpaid")
    make_payment(m, amount_pence=3 * 450, periods=3)
    m.refresh_from_db()
    return m


def test_a_recently_lapsed_member_may_pay_arrears_or_start_afresh(area, offers):
    lapsed = _lapsed(area, offers)

    options = rejoin_options(lapsed)

    assert options.afresh and options.arrears is not None
    assert options.arrears.owed_periods > 0


def test_paying_the_arrears_reinstates_the_same_membership_continuously(area, offers, staff):
    lapsed = _lapsed(area, offers)
    owed = rejoin_options(lapsed).arrears
    assert owed is not None

    payment = membership_rejoin(membership=lapsed, choice="arrears", consent=True,
                                by=lapsed.user)
    assert isinstance(payment, Payment)
    assert (owed.owed_pence, owed.owed_periods) == (payment.amount_pence, payment.periods)

    payment_record(payment=payment, method="bank", amount_pence=payment.amount_pence,
                   recorded_by=staff)

    lapsed.refresh_from_db()
    assert S.ACTIVE == lapsed.status
    assert lapsed.joined_on == lapsed.good_standing_since  # the run never broke
    assert lapsed.ended_on is None
    assert "Rejoined by paying arrears" in lapsed.history.last().reason


def test_arrears_are_closed_long_after_lapsing(area, offers, settings):
    settings.REJOIN_ARREARS_MONTHS = 12
    lapsed = _lapsed(area, offers, lapsed_days_ago=400, joined_days_ago=800)

    assert rejoin_options(lapsed).arrears is None
    with pytest.raises(Refusal) as e:
        membership_rejoin(membership=lapsed, choice="arrears", consent=True, by=lapsed.user)

    assert "arrears_closed" == e.value.code
    assert 1 == Payment.objects.count()


def test_starting_afresh_makes_a_new_application_with_a_new_joining_date(area, offers, staff):
    lapsed = _lapsed(area, offers)

    fresh = membership_rejoin(membership=lapsed, choice="afresh", rate_code="reduced",
                              consent=True, by=lapsed.user)

    assert isinstance(fresh, Membership) and fresh.pk != lapsed.pk
    [payment] = fresh.payments.all()
    assert (150, S.APPLIED) == (payment.amount_pence, fresh.status)
    payment_record(payment=payment, method="bank", amount_pence=150, recorded_by=staff)
    fresh.refresh_from_db()
    assert (S.ACTIVE, timezone.localdate()) == (fresh.status, fresh.joined_on)
    lapsed.refresh_from_db()
    assert S.LAPSED == lapsed.status


def test_a_resigned_member_starts_afresh_and_owes_no_arrears(area, offers):
    resigned = make_member_in(area, category=offers.member, rate=offers.standard,
                              status=S.RESIGNED, ended_on=timezone.localdate())

    options = rejoin_options(resigned)
    fresh = membership_rejoin(membership=resigned, choice="afresh", rate_code="standard",
                              consent=True, by=resigned.user)

    assert (None, True) == (options.arrears, options.afresh)
    assert isinstance(fresh, Membership)
    assert 450 == fresh.payments.get().amount_pence


def test_a_second_click_gives_back_the_same_application_or_payment(area, offers):
    lapsed = _lapsed(area, offers)

    first = membership_rejoin(membership=lapsed, choice="arrears", consent=True,
                              by=lapsed.user)
    again = membership_rejoin(membership=lapsed, choice="arrears", consent=True,
                              by=lapsed.user)

    assert first.pk == again.pk


@pytest.mark.parametrize("status", [S.EXPELLED, S.SUSPENDED, S.ACTIVE])
def test_it_refuses_those_who_cannot_rejoin_here(area, offers, status):
    m = make_member_in(area, category=offers.member, rate=offers.standard, status=status)

    with pytest.raises(Refusal) as e:
        membership_rejoin(membership=m, choice="afresh", rate_code="standard", consent=True,
                          by=m.user)

    assert "cannot_rejoin" == e.value.code


@pytest.mark.parametrize("choice, rate, consent, code", [
    ("afresh", "gold", True, "unknown_rate"), ("sideways", "", True, "unknown_choice"),
    ("afresh", "standard", False, "consent_required"),
])
def test_it_refuses_bad_input_and_changes_nothing(area, offers, choice, rate, consent, code):
    lapsed = _lapsed(area, offers)

    with pytest.raises(Refusal) as e:
        membership_rejoin(membership=lapsed, choice=choice, rate_code=rate, consent=consent,
                          by=lapsed.user)

    assert code == e.value.code
    assert 1 == Membership.objects.count() == Payment.objects.count()


def test_only_the_member_rejoins(area, offers, staff):
    lapsed = _lapsed(area, offers)

    with pytest.raises(PermissionRefused):
        membership_rejoin(membership=lapsed, choice="afresh", rate_code="standard",
                          consent=True, by=staff)


def test_the_member_rejoins_from_their_page(client, area, offers):
    lapsed = _lapsed(area, offers)
    client.force_login(lapsed.user)
    assert "Rejoin" in client.get(reverse("me:home")).text

    page = client.get(reverse("me:rejoin") + f"?membership={lapsed.reference}")
    response = client.post(reverse("me:rejoin"), {
        "membership": lapsed.reference, "choice": "arrears", "consent": "on"})

    assert 200 == page.status_code and "keep your membership continuous" in page.text
    payment = Payment.objects.get(note="Arrears to rejoin")
    assert reverse("me:pay", args=[payment.reference]) == response["Location"]
