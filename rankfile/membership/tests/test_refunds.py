import pytest
from django.core import mail

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Membership, Payment, Refund
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.payments import payment_record
from rankfile.membership.services.refunds import (
    payment_refund,
    refund_rejected_applicant,
    refund_send_to_stripe,
)
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import joiner, make_offers, payment_of, run_tasks
from rankfile.membership.tests.stripe_helpers import event, signed

S = Membership.Status
R = Refund.Status


@pytest.fixture
def paid(area, staff):
    """A registered supporter's £25 fee, paid by cheque and recorded by staff."""
    make_offers()
    payment = payment_of(membership_apply(data=joiner()))
    payment_record(payment=payment, method="cheque", amount_pence=2500, recorded_by=staff)
    run_tasks()
    mail.outbox.clear()
    payment.refresh_from_db()
    return payment


@pytest.fixture
def by_card(area, fake_stripe):
    """A member's dues paid by card through Stripe."""
    member = make_member_in(area)
    return make_payment(member, amount_pence=450, provider="stripe", external_id="pi_card_1",
                        periods=1)


def test_it_records_a_manual_refund_of_an_offline_payment(paid, staff):
    refund = payment_refund(payment=paid, by=staff, reason="Rejected: a member of another party")
    run_tasks()

    paid.refresh_from_db()
    assert (R.SUCCEEDED, Refund.Provider.MANUAL, 2500, staff) == (
        refund.status, refund.provider, refund.amount_pence, refund.requested_by)
    assert Payment.Status.REFUNDED == paid.status
    [message] = mail.outbox
    assert "£25.00" in message.body and paid.reference in message.body
    assert "another party" not in message.body  # staff's reason stays with staff


def test_it_refunds_a_card_payment_through_stripe(by_card, staff, fake_stripe):
    refund = payment_refund(payment=by_card, by=staff, reason="Paid twice by mistake")

    assert (R.REQUESTED, Refund.Provider.STRIPE) == (refund.status, refund.provider)
    assert [] == fake_stripe.sent  # not from inside the transaction: a job asks Stripe
    run_tasks()

    refund.refresh_from_db()
    by_card.refresh_from_db()
    [sent] = [s for s in fake_stripe.sent if s.path == "/v1/refunds"]
    assert ("pi_card_1", "450") == (sent.one("payment_intent"), sent.one("amount"))
    assert sent.idempotency_key.startswith(f"rankfile-refund-{refund.pk}-")
    assert (R.SUCCEEDED, Payment.Status.REFUNDED) == (refund.status, by_card.status)
    assert refund.external_id.startswith("re_")


def test_it_sends_a_refund_to_stripe_once_however_often_the_job_runs(by_card, staff,
                                                                      fake_stripe):
    refund = payment_refund(payment=by_card, by=staff, reason="Paid twice by mistake")

    first = refund_send_to_stripe(refund_id=refund.pk)
    second = refund_send_to_stripe(refund_id=refund.pk)

    assert "already sent" == second and "refunded" in first
    assert 1 == fake_stripe.paths().count("/v1/refunds")


def test_it_waits_for_stripe_to_finish_a_pending_refund(client, by_card, staff, fake_stripe):
    fake_stripe.refund_status = "pending"
    refund = payment_refund(payment=by_card, by=staff, reason="Asked for it back")
    run_tasks()
    refund.refresh_from_db()
    assert (R.PENDING, Payment.Status.PAID) == (refund.status, Payment.objects.get(
        pk=by_card.pk).status)

    body, header = signed(event("refund.updated", {"id": refund.external_id,
                                                   "object": "refund", "status": "succeeded"}))
    client.post("/payments/stripe/webhook/", data=body, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header)

    refund.refresh_from_db()
    assert (R.SUCCEEDED, Payment.Status.REFUNDED) == (refund.status, Payment.objects.get(
        pk=by_card.pk).status)


def test_it_records_why_stripe_refused_and_lets_staff_try_again(by_card, staff, fake_stripe):
    fake_stripe.routes[("POST", "/v1/refunds")] = lambda params: (400, {"error": {
        "type": "invalid_request_error", "code": "charge_already_refunded",
        "message": "Charge ch_1 has already been refunded."}})
    refund = payment_refund(payment=by_card, by=staff, reason="Asked for it back")
    run_tasks()
    refund.refresh_from_db()
    assert (R.FAILED, Payment.Status.PAID) == (refund.status, Payment.objects.get(
        pk=by_card.pk).status)
    assert "has already been refunded" in refund.failure

    del fake_stripe.routes[("POST", "/v1/refunds")]
    fake_stripe.__post_init__()  # Stripe answers normally again
    again = payment_refund(payment=by_card, by=staff, reason="Second try")
    run_tasks()

    again.refresh_from_db()
    keys = [s.idempotency_key for s in fake_stripe.sent if s.path == "/v1/refunds"]
    assert (refund.pk, R.SUCCEEDED) == (again.pk, again.status)
    assert 2 == len(set(keys))  # a new request, not Stripe's stored answer to the old one


def test_it_marks_a_refund_failed_when_stripe_cannot_be_reached(by_card, staff, fake_stripe):
    fake_stripe.down = True
    refund = payment_refund(payment=by_card, by=staff, reason="Asked for it back")

    run_tasks()

    refund.refresh_from_db()
    assert R.FAILED == refund.status and "connect" in refund.failure.lower()


def test_it_refunds_dues_collected_by_invoice_through_their_payment(area, staff, fake_stripe):
    dues = make_payment(make_member_in(area), amount_pence=450, provider="stripe",
                        external_id="in_ada_7", periods=1)

    payment_refund(payment=dues, by=staff, reason="Collected after resigning")
    run_tasks()

    [sent] = [s for s in fake_stripe.sent if s.path == "/v1/refunds"]
    assert "pi_for_in_ada_7" == sent.one("payment_intent")


def test_it_refunds_a_stripe_payment_by_hand_when_told(by_card, staff, fake_stripe):
    refund = payment_refund(payment=by_card, by=staff, reason="Returned by cheque",
                            manual=True)

    assert (R.SUCCEEDED, Refund.Provider.MANUAL) == (refund.status, refund.provider)
    assert [] == fake_stripe.sent


def test_it_refunds_every_payment_of_a_rejected_application(area, staff, fake_stripe):
    member = make_member_in(area, status=S.APPLIED, vetting=Membership.Vetting.REJECTED)
    offline = make_payment(member, amount_pence=2500, method="bank")
    card = make_payment(member, amount_pence=300, provider="stripe", external_id="pi_x")
    make_payment(member, amount_pence=100, status=Payment.Status.PENDING)

    refunds = refund_rejected_applicant(membership=member, by=staff)

    assert [offline, card] == [r.payment for r in refunds]
    assert [R.SUCCEEDED, R.REQUESTED] == [r.status for r in refunds]


# -- refusals change nothing ----------------------------------------------------------------


def test_it_lets_only_staff_refund(paid, secretary, outsider):
    for person in (secretary, outsider, None):
        with pytest.raises(PermissionRefused):
            payment_refund(payment=paid, by=person, reason="No")

    assert (0, Payment.Status.PAID) == (Refund.objects.count(),
                                        Payment.objects.get(pk=paid.pk).status)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_it_needs_a_reason_of_a_sensible_length(paid, staff, reason):
    with pytest.raises(Refusal) as e:
        payment_refund(payment=paid, by=staff, reason=reason)

    assert "reason" == e.value.field
    assert 0 == Refund.objects.count()


def test_it_refunds_nothing_unpaid(area, staff):
    make_offers()
    pending = payment_of(membership_apply(data=joiner()))

    with pytest.raises(Refusal) as e:
        payment_refund(payment=pending, by=staff, reason="Rejected")

    assert "not_paid" == e.value.code


def test_it_refunds_once(paid, staff):
    payment_refund(payment=paid, by=staff, reason="Rejected")

    with pytest.raises(Refusal) as e:
        payment_refund(payment=paid, by=staff, reason="Rejected again")

    assert "already_refunded" == e.value.code
    assert 1 == Refund.objects.count()


def test_it_refuses_a_second_refund_while_the_first_is_under_way(by_card, staff, fake_stripe):
    payment_refund(payment=by_card, by=staff, reason="Asked for it back")

    with pytest.raises(Refusal) as e:
        payment_refund(payment=by_card, by=staff, reason="Asked again")

    assert "already_refunding" == e.value.code


def test_it_says_to_refund_in_stripe_when_stripe_is_not_set_up(area, staff):
    card = make_payment(make_member_in(area), provider="stripe", external_id="pi_1")

    with pytest.raises(Refusal) as e:
        payment_refund(payment=card, by=staff, reason="Asked for it back")

    assert ("stripe_not_configured", "manual") == (e.value.code, e.value.field)
    assert 0 == Refund.objects.count()


# -- pages ----------------------------------------------------------------------------------


def test_it_refunds_from_the_staff_payments_page(client, paid, staff):
    client.force_login(staff)
    prefix = f"refund-{paid.reference}"
    page = client.get("/staff/payments/", {"q": paid.reference}).content.decode()
    assert f"Refund £25.00 of {paid.reference}" in page
    assert "returned the money by hand" not in page  # offline: the only way is by hand

    response = client.post(f"/staff/payments/{paid.reference}/refund/",
                           {f"{prefix}-reason": "Rejected in vetting"})

    assert 302 == response.status_code
    page = client.get(response["Location"]).content.decode()
    assert "Refund of" in page and "Rejected in vetting" in page and "Refunded" in page


def test_it_shows_a_missing_reason_next_to_the_field(client, paid, staff):
    client.force_login(staff)

    response = client.post(f"/staff/payments/{paid.reference}/refund/",
                           {f"refund-{paid.reference}-reason": ""})

    assert 400 == response.status_code
    assert f'id="id_refund-{paid.reference}-reason_error"' in response.content.decode()
    assert 0 == Refund.objects.count()


def test_it_forbids_refunds_to_others(client, paid, secretary):
    client.force_login(secretary)

    response = client.post(f"/staff/payments/{paid.reference}/refund/",
                           {f"refund-{paid.reference}-reason": "Because"})

    assert 403 == response.status_code
    assert 0 == Refund.objects.count()


def test_it_allows_only_post_to_refund(client, paid, staff):
    client.force_login(staff)

    assert 405 == client.get(f"/staff/payments/{paid.reference}/refund/").status_code


def test_it_shows_the_refund_in_the_members_history(client, paid, staff):
    payment_refund(payment=paid, by=staff, reason="Rejected: a member of another party")
    client.force_login(paid.membership.user)

    page = client.get("/me/").content.decode()

    assert f"refunded £25.00 of payment {paid.reference}" in page
    assert "another party" not in page


@pytest.mark.parametrize("reason", ["Rejected\x00", "Rejected \u202egnorw"])
def test_it_refuses_a_reason_with_hidden_characters(paid, staff, reason):
    with pytest.raises(Refusal) as e:
        payment_refund(payment=paid, by=staff, reason=reason)

    assert ("unreadable", "reason") == (e.value.code, e.value.field)
