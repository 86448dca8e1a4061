"""Stripe's webhook, offline: events signed here with a test secret, checked by the library."""

import json
import logging
import time

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.membership.models import (
    CheckoutSession,
    Membership,
    Payment,
    Refund,
    StatusChange,
    StripeEvent,
    StripeSubscription,
)
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.payments import payment_record
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import joiner, make_offers, payment_of, run_tasks
from rankfile.membership.tests.race import needs_postgresql, race
from rankfile.membership.tests.stripe_helpers import event, paid_session, signed

S = Membership.Status
URL = "/payments/stripe/webhook/"


@pytest.fixture
def pending(area):
    make_offers()
    payment = payment_of(membership_apply(data=joiner()))
    run_tasks()  # the confirmation e-mail
    mail.outbox.clear()
    return payment


def deliver(client, payload, **signing):
    body, header = signed(payload, **signing)
    return client.post(URL, data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)


def state(payment):
    payment.refresh_from_db()
    payment.membership.refresh_from_db()
    return (payment.status, payment.membership.status, StripeEvent.objects.count(),
            StatusChange.objects.filter(membership=payment.membership).count())


def test_it_records_a_card_payment_from_a_signed_event(client, pending, fake_stripe):
    response = deliver(client, event("checkout.session.completed", paid_session(pending)))

    assert (200, f"paid: {pending.reference}") == (response.status_code,
                                                   response.json()["outcome"])
    pending.refresh_from_db()
    assert (Payment.Status.PAID, "stripe", Payment.Method.CARD, "pi_test_1", "fp_card_ada") == (
        pending.status, pending.provider, pending.method, pending.external_id,
        pending.card_fingerprint)
    assert S.ACTIVE == Membership.objects.get(pk=pending.membership_id).status
    assert ["GET"] == [s.method for s in fake_stripe.sent]  # how it was paid: the charge
    run_tasks()
    assert pending.receipt_number in mail.outbox[0].body


def test_it_applies_an_event_delivered_twice_once(client, pending, fake_stripe, caplog):
    payload = event("checkout.session.completed", paid_session(pending))
    deliver(client, payload)
    before = state(pending)
    jobs = DBTaskResult.objects.count()

    with caplog.at_level(logging.INFO, logger="rankfile.payments.stripe"):
        again = deliver(client, payload)

    assert (200, "duplicate") == (again.status_code, again.json()["outcome"])
    assert before == state(pending)
    assert jobs == DBTaskResult.objects.count()  # no second receipt
    assert "was applied before" in caplog.text


def test_it_records_one_payment_from_two_events_about_it(client, pending, fake_stripe):
    """Stripe sends 'completed' and may send 'async_payment_succeeded' too: one payment."""
    deliver(client, event("checkout.session.completed", paid_session(pending)))

    other = deliver(client, event("checkout.session.async_payment_succeeded",
                                  paid_session(pending)))

    assert "ignored: this charge is recorded already" == other.json()["outcome"]
    assert 1 == Payment.objects.filter(status=Payment.Status.PAID).count()
    assert 0 == Refund.objects.count()


def test_it_refuses_a_tampered_event_and_changes_nothing(client, pending, fake_stripe, caplog):
    body, header = signed(event("checkout.session.completed", paid_session(pending)))
    before = state(pending)

    with caplog.at_level(logging.WARNING, logger="rankfile.payments.stripe"):
        response = client.post(URL, data=body.replace(b'"paid"', b'"paid" '),
                               content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    assert (400, "bad_signature") == (response.status_code, response.json()["error"]["code"])
    assert before == state(pending)
    assert "stripe webhook refused" in caplog.text
    assert [] == fake_stripe.sent


def test_it_refuses_a_replay_older_than_the_tolerance(client, pending, fake_stripe, settings):
    payload = event("checkout.session.completed", paid_session(pending))
    before = state(pending)

    response = deliver(client, payload, at=int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE
                       - 1)

    assert 400 == response.status_code
    assert before == state(pending)


def test_it_accepts_an_event_just_inside_the_tolerance(client, pending, fake_stripe, settings):
    payload = event("checkout.session.completed", paid_session(pending))

    response = deliver(client, payload, at=int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE
                       + 30)

    assert 200 == response.status_code


@pytest.mark.parametrize("header", [None, "", "t=1,v1=0000", "nonsense", "t=abc,v1=x"])
def test_it_refuses_a_missing_or_malformed_signature(client, pending, fake_stripe, header):
    body, _ = signed(event("checkout.session.completed", paid_session(pending)))
    extra = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}

    response = client.post(URL, data=body, content_type="application/json", **extra)

    assert 400 == response.status_code
    assert 0 == StripeEvent.objects.count()


def test_it_refuses_an_event_signed_with_another_secret(client, pending, fake_stripe):
    response = deliver(client, event("checkout.session.completed", paid_session(pending)),
                       secret="whsec_someone_else")

    assert 400 == response.status_code
    assert Payment.Status.PENDING == state(pending)[0]


def test_it_refuses_a_live_event_on_test_keys(client, pending, fake_stripe):
    response = deliver(client, event("checkout.session.completed", paid_session(pending),
                                     livemode=True))

    assert (400, "wrong_mode") == (response.status_code, response.json()["error"]["code"])
    assert Payment.Status.PENDING == state(pending)[0]


@pytest.mark.parametrize("body", ["not json at all", "[]", '{"id": "evt_1"}',
                                  "\u202e\x00{}"])
def test_it_refuses_a_signed_body_that_is_not_an_event(client, pending, fake_stripe, body):
    response = deliver(client, body)

    assert 400 == response.status_code
    assert 0 == StripeEvent.objects.count()


def test_it_refuses_bytes_that_are_not_text(client, fake_stripe):
    response = client.post(URL, data=b"\xff\xfe\x00garbage", content_type="application/json",
                           HTTP_STRIPE_SIGNATURE="t=1,v1=00")

    assert 400 == response.status_code


def test_it_refuses_a_huge_body(client, fake_stripe):
    response = client.post(URL, data=b"{" + b" " * 300_000 + b"}",
                           content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=00")

    assert 413 == response.status_code


def test_it_answers_only_post(client, fake_stripe):
    assert 405 == client.get(URL).status_code


def test_it_is_not_there_without_stripe(client, pending):
    assert 404 == deliver(client, event("checkout.session.completed",
                                        paid_session(pending))).status_code


def test_it_ignores_events_it_does_not_use_but_remembers_them(client, db, fake_stripe):
    payload = event("customer.created", {"id": "cus_1", "object": "customer"})

    first = deliver(client, payload)
    second = deliver(client, payload)

    assert ("ignored: not an event this site uses", "duplicate") == (
        first.json()["outcome"], second.json()["outcome"])


def test_it_ignores_a_session_for_no_payment_of_ours(client, pending, fake_stripe):
    session = {**paid_session(pending), "metadata": {"payment_reference": "PAY-NOTOURS1"},
               "client_reference_id": "PAY-NOTOURS1"}

    response = deliver(client, event("checkout.session.completed", session))

    assert "ignored: no payment has this reference" == response.json()["outcome"]
    assert Payment.Status.PENDING == state(pending)[0]


def test_it_leaves_a_payment_whose_amount_differs_for_staff(client, pending, fake_stripe,
                                                             caplog):
    with caplog.at_level(logging.ERROR, logger="rankfile.payments.stripe"):
        response = deliver(client, event("checkout.session.completed",
                                         paid_session(pending, amount=100)))

    assert response.json()["outcome"].startswith("ignored: the amount differs")
    assert Payment.Status.PENDING == state(pending)[0]
    assert "paid 100 gbp" in caplog.text


def test_it_answers_503_when_stripe_cannot_say_how_it_was_paid(client, pending, fake_stripe):
    """Stripe retries a webhook that failed: the event is not remembered, so it applies then."""
    payload = event("checkout.session.completed", paid_session(pending))
    fake_stripe.down = True

    failed = deliver(client, payload)
    fake_stripe.down = False
    retried = deliver(client, payload)

    assert (503, 200) == (failed.status_code, retried.status_code)
    assert Payment.Status.PAID == state(pending)[0]


# -- Direct Debit: paid days later, or not at all --------------------------------------------


def test_it_waits_for_a_direct_debit_then_records_it(client, pending, fake_stripe):
    fake_stripe.method, fake_stripe.fingerprint = "bacs_debit", "fp_bank_ada"
    CheckoutSession.objects.create(session_id="cs_test_paid", membership=pending.membership,
                                   payment=pending, url="https://checkout.stripe.com/x",
                                   created_at=timezone.now(), expires_at=timezone.now())

    waiting = deliver(client, event("checkout.session.completed",
                                    paid_session(pending, payment_status="unpaid")))
    assert "waiting: the Direct Debit is on its way" == waiting.json()["outcome"]
    assert (Payment.Status.PENDING, S.APPLIED) == state(pending)[:2]
    assert CheckoutSession.Status.COMPLETE == CheckoutSession.objects.get().status

    deliver(client, event("checkout.session.async_payment_succeeded", paid_session(pending)))

    pending.refresh_from_db()
    assert (Payment.Status.PAID, Payment.Method.DIRECT_DEBIT, "fp_bank_ada") == (
        pending.status, pending.method, pending.card_fingerprint)


def test_it_tells_the_member_when_a_direct_debit_fails(client, pending, fake_stripe):
    response = deliver(client, event("checkout.session.async_payment_failed",
                                     paid_session(pending, payment_status="unpaid")))
    run_tasks()

    assert f"failed: {pending.reference}" == response.json()["outcome"]
    assert Payment.Status.PENDING == state(pending)[0]
    [message] = mail.outbox
    assert "did not go through" in message.subject
    assert f"/me/pay/{pending.reference}/" in message.body


# -- money that cannot be applied is returned ------------------------------------------------


def test_it_refunds_a_card_payment_for_a_fee_already_paid(client, pending, fake_stripe, staff):
    payment_record(payment=pending, method="cash", amount_pence=2500, recorded_by=staff)

    response = deliver(client, event("checkout.session.completed", paid_session(pending)))
    run_tasks()  # the refund job asks Stripe

    assert response.json()["outcome"] == f"refunded: {pending.reference} was paid already"
    extra = Payment.objects.exclude(pk=pending.pk).get()
    assert (Payment.Status.REFUNDED, "pi_test_1", 2500) == (
        extra.status, extra.external_id, extra.refund.amount_pence)
    refund_call = [s for s in fake_stripe.sent if s.path == "/v1/refunds"]
    assert ["pi_test_1"] == [s.one("payment_intent") for s in refund_call]
    pending.refresh_from_db()
    assert (Payment.Status.PAID, "cash") == (pending.status, pending.method)


def test_it_refunds_a_payment_for_an_application_that_expired(client, pending, fake_stripe):
    Membership.objects.filter(pk=pending.membership_id).update(status=S.EXPIRED)
    Payment.objects.filter(pk=pending.pk).update(status=Payment.Status.CANCELLED)

    response = deliver(client, event("checkout.session.completed", paid_session(pending)))

    assert "can no longer be paid" in response.json()["outcome"]
    assert Refund.Status.REQUESTED == Refund.objects.get().status


# -- dues by subscription, and refunds made in Stripe's dashboard ---------------------------


@pytest.fixture
def subscribed(area, fake_stripe):
    offers = make_offers()
    member = make_member_in(area, rate=offers.standard, status=S.IN_ARREARS)
    make_payment(member, amount_pence=450, periods=1)
    StripeSubscription.objects.create(subscription_id="sub_ada", membership=member,
                                      created_at=timezone.now())
    return member


def invoice(amount=450, invoice_id="in_ada_1", subscription="sub_ada"):
    return {"id": invoice_id, "object": "invoice", "amount_paid": amount, "currency": "gbp",
            "parent": {"type": "subscription_details",
                       "subscription_details": {"subscription": subscription}}}


def test_it_records_dues_collected_by_a_subscription(client, subscribed):
    response = deliver(client, event("invoice.paid", invoice()))

    dues = Payment.objects.get(external_id="in_ada_1")
    assert (Payment.Status.PAID, 1, 450, "stripe") == (dues.status, dues.periods,
                                                      dues.amount_pence, dues.provider)
    assert response.json()["outcome"] == f"paid: {dues.reference}"
    subscribed.refresh_from_db()
    assert S.ACTIVE == subscribed.status  # two months paid of two started: caught up


def test_it_records_an_invoice_once_whatever_the_event(client, subscribed):
    deliver(client, event("invoice.paid", invoice()))

    again = deliver(client, event("invoice.paid", invoice()))

    assert "ignored: this invoice is recorded already" == again.json()["outcome"]
    assert 2 == Payment.objects.filter(membership=subscribed).count()


def test_it_ignores_an_invoice_of_nothing(client, subscribed):
    response = deliver(client, event("invoice.paid", invoice(amount=0)))

    assert response.json()["outcome"].startswith("ignored: nothing was paid")


def test_it_keeps_a_subscription_set_up_at_checkout(client, area, fake_stripe):
    offers = make_offers()
    member = make_member_in(area, rate=offers.standard)
    session = {"id": "cs_sub", "object": "checkout.session", "mode": "subscription",
               "status": "complete", "subscription": "sub_new", "customer": "cus_new",
               "client_reference_id": member.reference,
               "metadata": {"membership_reference": member.reference}}

    deliver(client, event("checkout.session.completed", session))
    deliver(client, event("customer.subscription.deleted", {"id": "sub_new",
                                                            "object": "subscription"}))

    sub = StripeSubscription.objects.get()
    assert ("sub_new", "cus_new", member, StripeSubscription.Status.ENDED) == (
        sub.subscription_id, sub.customer_id, sub.membership, sub.status)


def test_it_records_a_refund_made_in_stripes_dashboard(client, pending, fake_stripe):
    deliver(client, event("checkout.session.completed", paid_session(pending)))
    run_tasks()
    mail.outbox.clear()

    response = deliver(client, event("charge.refunded", {
        "id": "ch_1", "object": "charge", "payment_intent": "pi_test_1", "refunded": True,
        "amount_refunded": 2500}))
    run_tasks()

    pending.refresh_from_db()
    assert (Payment.Status.REFUNDED, "Refunded in Stripe's dashboard") == (
        pending.status, pending.refund.reason)
    assert f"refunded: {pending.reference}" == response.json()["outcome"]
    assert "refund" in mail.outbox[0].subject


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_applies_one_event_delivered_at_once_by_two_connections(area, fake_stripe):
    """The second delivery arrives while the first still holds its transaction open."""
    from django.test import Client

    make_offers()
    payment = payment_of(membership_apply(data=joiner()))
    assert payment is not None
    body, header = signed(event("checkout.session.completed", paid_session(payment)))

    def deliver_it():
        return Client().post(URL, data=body, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=header).json()["outcome"]

    first, second = race(deliver_it, deliver_it)

    assert (f"paid: {payment.reference}", "duplicate") == (first.result, second.result)
    assert (1, 2) == (StripeEvent.objects.count(),
                      StatusChange.objects.filter(membership=payment.membership).count())
    assert json.loads(body)["id"] == StripeEvent.objects.get().event_id
