"""A supporter upgrades to member, paying as joining requires."""

import pytest
from django.urls import reverse

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Category, Membership, Payment
from rankfile.membership.services.payments import payment_record
from rankfile.membership.services.upgrade import membership_upgrade
from rankfile.membership.tests.factories import make_member_in
from rankfile.membership.tests.join_helpers import make_offers

S = Membership.Status


@pytest.fixture
def offers(db):
    return make_offers()


@pytest.fixture
def registered(area, offers):
    return make_member_in(area, category=offers.supporter, first_name="Sol",
                          address="3 Hill Road")


def test_it_makes_a_member_application_with_the_first_dues_to_pay(registered, offers, staff):
    member = membership_upgrade(supporter=registered, rate_code="reduced", consent=True,
                                by=registered.user)

    assert (Category.Kind.MEMBER, S.APPLIED, offers.reduced) == (
        member.category.kind, member.status, member.rate)
    assert ("Sol", "3 Hill Road", registered.branch) == (
        member.first_name, member.address, member.branch)
    [payment] = member.payments.all()
    assert (150, 1, Payment.Status.PENDING) == (payment.amount_pence, payment.periods,
                                                 payment.status)
    registered.refresh_from_db()
    assert S.ACTIVE == registered.status

    payment_record(payment=payment, method="bank", amount_pence=150, recorded_by=staff)

    member.refresh_from_db()
    assert S.ACTIVE == member.status


def test_a_second_click_gives_back_the_same_application(registered):
    first = membership_upgrade(supporter=registered, rate_code="standard", consent=True,
                               by=registered.user)
    second = membership_upgrade(supporter=registered, rate_code="standard", consent=True,
                                by=registered.user)

    assert first.pk == second.pk
    assert 1 == Payment.objects.count()


def test_it_refuses_someone_already_a_member(area, offers, registered):
    make_member_in(area, user=registered.user, category=offers.member)

    with pytest.raises(Refusal) as e:
        membership_upgrade(supporter=registered, rate_code="standard", consent=True,
                           by=registered.user)

    assert "already_member" == e.value.code


@pytest.mark.parametrize("rate, consent, code", [
    ("gold", True, "unknown_rate"), ("", True, "unknown_rate"),
    ("standard", False, "consent_required"),
])
def test_it_refuses_bad_input_and_changes_nothing(registered, rate, consent, code):
    with pytest.raises(Refusal) as e:
        membership_upgrade(supporter=registered, rate_code=rate, consent=consent,
                           by=registered.user)

    assert code == e.value.code
    assert 1 == Membership.objects.count()


def test_it_refuses_a_member_or_a_lapsed_supporter(area, offers):
    member = make_member_in(area, category=offers.member)
    lapsed = make_member_in(area, category=offers.supporter, status=S.LAPSED)

    for who, code in ((member, "not_a_supporter"), (lapsed, "not_in_good_standing")):
        with pytest.raises(Refusal) as e:
            membership_upgrade(supporter=who, rate_code="standard", consent=True, by=who.user)
        assert code == e.value.code


def test_only_the_supporter_upgrades(registered, staff):
    with pytest.raises(PermissionRefused):
        membership_upgrade(supporter=registered, rate_code="standard", consent=True, by=staff)


def test_the_supporter_upgrades_from_their_page(client, registered):
    client.force_login(registered.user)
    home = client.get(reverse("me:home"))
    assert "Become a member" in home.text

    response = client.post(reverse("me:upgrade"), {
        "membership": registered.reference, "rate": "standard", "consent": "on"})

    assert 302 == response.status_code
    assert Membership.objects.filter(user=registered.user, category__kind="member").exists()


def test_the_page_names_a_missing_consent(client, registered):
    client.force_login(registered.user)

    response = client.post(reverse("me:upgrade"), {
        "membership": registered.reference, "rate": "standard"})

    assert 400 == response.status_code
    assert "Agree to the privacy notice" in response.text
    assert 1 == Membership.objects.count()
