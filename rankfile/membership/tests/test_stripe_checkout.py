import datetime as dt

import pytest
from django.utils import timezone

from rankfile.core.errors import NotFound, Refusal
from rankfile.demo.personas import make_user
from rankfile.membership.models import CheckoutSession, Membership, Payment, StripeSubscription
from rankfile.membership.services.dues import add_periods
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.stripe_provider import checkout_start, dues_subscription_start
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import joiner, make_offers, payment_of

S = Membership.Status


@pytest.fixture
def pending(area):
    make_offers()
    return payment_of(membership_apply(data=joiner()))


@pytest.fixture
def payer(pending):
    user = pending.membership.user
    user.set_password("a long new passphrase")
    user.save()
    return user


def test_it_opens_a_checkout_session_for_cards_and_direct_debit(pending, payer, fake_stripe):
    session = checkout_start(payment=pending, by=payer)

    [sent] = fake_stripe.sent
    assert ("POST", "/v1/checkout/sessions") == (sent.method, sent.path)
    assert ("payment", "2500", "gbp", pending.reference) == (
        sent.one("mode"), sent.one("line_items[0][price_data][unit_amount]"),
        sent.one("line_items[0][price_data][currency]"), sent.one("client_reference_id"))
    assert ["card", "bacs_debit"] == [sent.one(f"payment_method_types[{i}]") for i in (0, 1)]
    assert pending.reference == sent.one("metadata[payment_reference]")
    assert sent.one("success_url").endswith(
        f"/me/pay/{pending.reference}/return/?session_id={{CHECKOUT_SESSION_ID}}")
    assert f"rankfile-checkout-{pending.reference}-0" == sent.idempotency_key
    assert (session.url, CheckoutSession.Status.OPEN, pending) == (
        f"https://checkout.stripe.com/c/pay/{session.session_id}", session.status,
        session.payment)
    pending.refresh_from_db()
    assert (Payment.Status.PENDING, "offline") == (pending.status, pending.provider)


def test_it_reuses_an_open_session_rather_than_open_a_second(pending, payer, fake_stripe):
    first = checkout_start(payment=pending, by=payer)

    second = checkout_start(payment=pending, by=payer)

    assert first == second
    assert 1 == len(fake_stripe.sent)


def test_it_opens_a_new_session_when_the_last_is_about_to_expire(pending, payer, fake_stripe,
                                                                   _clock):
    first = checkout_start(payment=pending, by=payer)
    _clock.shift(dt.timedelta(minutes=55))

    second = checkout_start(payment=pending, by=payer)

    assert first != second
    assert [f"rankfile-checkout-{pending.reference}-{n}" for n in (0, 1)] == [
        s.idempotency_key for s in fake_stripe.sent]


def test_it_finds_no_payment_of_someone_else(pending, fake_stripe):
    with pytest.raises(NotFound):
        checkout_start(payment=pending, by=make_user("someone@example.org"))

    assert [] == fake_stripe.sent


def test_it_refuses_a_payment_already_paid(pending, payer, fake_stripe):
    Payment.objects.filter(pk=pending.pk).update(status=Payment.Status.PAID,
                                                 paid_at=timezone.now(), receipt_number="R-1")

    with pytest.raises(Refusal) as e:
        checkout_start(payment=pending, by=payer)

    assert "already_paid" == e.value.code
    assert [] == fake_stripe.sent


def test_it_refuses_an_expired_application(pending, payer, fake_stripe):
    Membership.objects.filter(pk=pending.membership_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(Refusal) as e:
        checkout_start(payment=pending, by=payer)

    assert "payment_expired" == e.value.code


def test_it_is_not_offered_without_both_keys(pending, payer, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_only_the_key"
    settings.STRIPE_WEBHOOK_SECRET = ""

    with pytest.raises(Refusal) as e:
        checkout_start(payment=pending, by=payer)

    assert "stripe_not_configured" == e.value.code


def test_it_says_when_stripe_cannot_be_reached_and_keeps_nothing(pending, payer, fake_stripe):
    fake_stripe.down = True

    with pytest.raises(Refusal) as e:
        checkout_start(payment=pending, by=payer)

    assert ("provider_unavailable", 503) == (e.value.code, e.value.http_status)
    assert "pay by bank transfer" in e.value.message
    assert 0 == CheckoutSession.objects.count()


# -- the pay page ---------------------------------------------------------------------------


def test_it_offers_card_direct_debit_and_bank_transfer(client, pending, payer, fake_stripe):
    client.force_login(payer)

    page = client.get(f"/me/pay/{pending.reference}/").content.decode()

    assert "Pay £25.00 by card or Direct Debit" in page
    assert "By bank transfer, cheque or cash" in page and pending.reference in page


def test_it_offers_only_the_bank_transfer_when_stripe_is_not_set_up(client, pending, payer):
    client.force_login(payer)

    page = client.get(f"/me/pay/{pending.reference}/").content.decode()

    assert "by card" not in page
    assert "By bank transfer, cheque or cash" in page


def test_it_sends_the_payer_on_to_stripe(client, pending, payer, fake_stripe):
    client.force_login(payer)

    response = client.post(f"/me/pay/{pending.reference}/")

    session = CheckoutSession.objects.get()
    assert (303, session.url) == (response.status_code, response["Location"])


def test_it_shows_why_stripe_could_not_be_reached(client, pending, payer, fake_stripe):
    client.force_login(payer)
    fake_stripe.down = True

    response = client.post(f"/me/pay/{pending.reference}/")

    page = response.content.decode()
    assert 503 == response.status_code
    assert 'class="error-summary" role="alert"' in page and "Try again in a few minutes" in page


def test_it_hides_other_peoples_payments(client, pending, fake_stripe):
    client.force_login(make_user("someone@example.org"))

    assert 404 == client.get(f"/me/pay/{pending.reference}/").status_code
    assert 404 == client.post(f"/me/pay/{pending.reference}/").status_code
    assert [] == fake_stripe.sent


def test_it_sends_visitors_to_log_in(client, pending):
    assert "/accounts/login/" in client.get(f"/me/pay/{pending.reference}/")["Location"]


def test_it_shows_the_payment_waiting_on_the_return_page(client, pending, payer, fake_stripe):
    client.force_login(payer)
    session = checkout_start(payment=pending, by=payer)

    page = client.get(f"/me/pay/{pending.reference}/return/",
                      {"session_id": session.session_id}).content.decode()

    assert "Your payment is on its way" in page and "Check again" in page


# -- monthly dues by Direct Debit -----------------------------------------------------------


@pytest.fixture
def member(area):
    """A member on the £4.50 monthly rate who joined ten days ago and paid the first month."""
    offers = make_offers()
    membership = make_member_in(area, rate=offers.standard)
    Membership.objects.filter(pk=membership.pk).update(
        joined_on=timezone.localdate() - dt.timedelta(days=10))
    make_payment(membership, amount_pence=450, periods=1)
    membership.refresh_from_db()
    return membership


def test_it_sets_up_dues_by_direct_debit_from_the_next_due_day(member, fake_stripe):
    session = dues_subscription_start(membership=member, by=member.user)

    [sent] = fake_stripe.sent
    assert ("subscription", "month", "450") == (
        sent.one("mode"), sent.one("line_items[0][price_data][recurring][interval]"),
        sent.one("line_items[0][price_data][unit_amount]"))
    # The first month is paid: the first collection is when the second falls due.
    first = dt.datetime.fromtimestamp(int(sent.one("subscription_data[trial_end]")), tz=dt.UTC)
    assert add_periods(member.joined_on, 1, "monthly") == timezone.localdate(first)
    assert CheckoutSession.Mode.SUBSCRIPTION == session.mode


def test_it_asks_for_the_arrears_before_a_direct_debit(member, fake_stripe):
    Membership.objects.filter(pk=member.pk).update(
        joined_on=timezone.localdate() - dt.timedelta(days=70))
    member.refresh_from_db()

    with pytest.raises(Refusal) as e:
        dues_subscription_start(membership=member, by=member.user)

    assert "arrears_first" == e.value.code
    assert "£9.00 owed" in e.value.message
    assert [] == fake_stripe.sent


def test_it_refuses_a_second_direct_debit(member, fake_stripe):
    StripeSubscription.objects.create(subscription_id="sub_1", membership=member,
                                      created_at=timezone.now())

    with pytest.raises(Refusal) as e:
        dues_subscription_start(membership=member, by=member.user)

    assert "already_subscribed" == e.value.code


def test_it_sets_up_dues_only_for_their_member(member, fake_stripe):
    with pytest.raises(NotFound):
        dues_subscription_start(membership=member, by=make_user("someone@example.org"))


def test_it_answers_hostile_references_with_not_found(client, pending, payer):
    client.force_login(payer)

    # A NUL anywhere answers 400 before any view (core.middleware.HostileInputMiddleware).
    for path in ("/me/pay/PAY-%00/", "/me/dues/RF-%00/"):
        assert 400 == client.get(path).status_code, path
    assert 404 == client.get(f"/me/pay/{'X' * 300}/").status_code
    returned = client.get(f"/me/pay/{pending.reference}/return/", {"session_id": "cs_\x00"})
    assert 400 == returned.status_code
