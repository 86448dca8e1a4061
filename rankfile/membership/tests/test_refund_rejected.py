"""A rejected applicant who paid is refunded, and sees it in their history."""

import pytest
from django.urls import reverse

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Membership, Payment, Refund
from rankfile.membership.services.refunds import refund_rejected_applicant
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import run_tasks

R = Refund.Status


@pytest.fixture
def rejected(area):
    applicant = make_member_in(area, status=Membership.Status.APPLIED,
                               vetting=Membership.Vetting.REJECTED)
    make_payment(applicant, amount_pence=2500, method=Payment.Method.BANK)
    return applicant


def test_it_records_a_manual_refund_of_an_offline_payment(rejected, staff):
    [refund] = refund_rejected_applicant(membership=rejected, by=staff)

    assert (R.SUCCEEDED, Refund.Provider.MANUAL, 2500) == (
        refund.status, refund.provider, refund.amount_pence)
    assert "Application rejected in vetting" == refund.reason


def test_it_refunds_a_card_payment_through_stripe(area, staff, fake_stripe):
    applicant = make_member_in(area, status=Membership.Status.APPLIED,
                               vetting=Membership.Vetting.REJECTED)
    make_payment(applicant, amount_pence=2500, provider="stripe", external_id="pi_rej_1")

    [refund] = refund_rejected_applicant(membership=applicant, by=staff)
    run_tasks()

    refund.refresh_from_db()
    assert (Refund.Provider.STRIPE, R.SUCCEEDED) == (refund.provider, refund.status)


def test_it_refunds_once_when_called_twice(rejected, staff):
    first = refund_rejected_applicant(membership=rejected, by=staff)
    second = refund_rejected_applicant(membership=rejected, by=staff)

    assert [r.pk for r in first] == [r.pk for r in second]
    assert 1 == Refund.objects.count()


def test_it_refunds_nothing_when_nothing_was_paid(area, staff):
    applicant = make_member_in(area, status=Membership.Status.APPLIED,
                               vetting=Membership.Vetting.REJECTED)

    assert [] == refund_rejected_applicant(membership=applicant, by=staff)


def test_it_refuses_an_application_that_was_not_rejected(area, staff):
    approved = make_member_in(area, vetting=Membership.Vetting.APPROVED)
    make_payment(approved)

    with pytest.raises(Refusal) as e:
        refund_rejected_applicant(membership=approved, by=staff)

    assert "not_rejected" == e.value.code
    assert 0 == Refund.objects.count()


def test_it_refuses_anyone_but_staff(rejected, secretary):
    with pytest.raises(PermissionRefused):
        refund_rejected_applicant(membership=rejected, by=secretary)

    assert 0 == Refund.objects.count()


def test_the_refund_shows_in_the_applicants_history(client, rejected, staff):
    refund_rejected_applicant(membership=rejected, by=staff)
    client.force_login(rejected.user)

    page = client.get(reverse("me:home"))

    assert "refunded £25.00" in page.text
    assert "rejected in vetting" not in page.text  # staff's reason stays with staff
