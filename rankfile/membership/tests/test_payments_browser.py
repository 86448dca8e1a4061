"""Paying by Stripe and importing a bank statement, in headless Chromium.

Stripe's Checkout page is never reached: the browser's request to it is
answered here (as Stripe would, by sending the payer back), and the webhook
is signed here and posted to the live server, as Stripe would post it.
"""

import datetime as dt
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from rankfile.demo.personas import make_user
from rankfile.membership.models import Payment
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.tests.join_helpers import joiner, make_offers, payment_of
from rankfile.membership.tests.stripe_helpers import event, paid_session, signed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [v["id"] for v in found if v["impact"] in ("serious", "critical")]


def log_in(page, url: str, email: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My membership").wait_for()


def test_it_pays_by_card_and_shows_the_receipt_once_stripe_confirms(
        phone, live_server, area, fake_stripe, settings):
    settings.SITE_URL = live_server.url
    make_offers()
    payment = payment_of(membership_apply(data=joiner()))
    user = payment.membership.user
    user.set_password("correct horse battery")
    user.save()
    sent_to_stripe = []

    def stripe_checkout(route):
        # Stripe's page: the payer pays, and Stripe sends them back to the success URL.
        sent_to_stripe.append(route.request.url)
        session = fake_stripe.sent[-1]
        back = session.one("success_url").replace("{CHECKOUT_SESSION_ID}",
                                                  route.request.url.rsplit("/", 1)[1])
        route.fulfill(status=303, headers={"Location": back})

    phone.route("https://checkout.stripe.com/**", stripe_checkout)
    log_in(phone, live_server.url, "ada@example.org")

    phone.get_by_role("link", name=f"Pay now {payment.reference}").click()
    phone.get_by_role("heading", name="Pay £25.00").wait_for()
    assert [] == serious_violations(phone)
    phone.get_by_role("button", name="Pay £25.00 by card or Direct Debit").press("Enter")

    phone.get_by_role("heading", name="Your payment is on its way").wait_for()
    assert 1 == len(sent_to_stripe)
    assert [] == serious_violations(phone)

    body, header = signed(event("checkout.session.completed", paid_session(payment)))
    request = urllib.request.Request(live_server.url + "/payments/stripe/webhook/", data=body,
                                     headers={"Content-Type": "application/json",
                                              "Stripe-Signature": header})
    with urllib.request.urlopen(request) as answer:  # noqa: S310 (the test's own server)
        assert 200 == answer.status
    phone.get_by_role("link", name="Check again").click()

    phone.get_by_role("heading", name="Thank you: your payment is received").wait_for()
    payment.refresh_from_db()
    main = phone.locator("main").inner_text()
    assert payment.receipt_number in main and "Card" in main and "active" in main


def statement_file(*rows: str) -> bytes:
    return ("Date,Reference,Amount\r\n" + "\r\n".join(rows) + "\r\n").encode()


def test_it_imports_a_bank_statement_after_checking_it(page, live_server, area):
    page.set_default_timeout(20_000)
    from rankfile.accounts.tests.browser import enter_two_factor_code
    from rankfile.demo.personas import give_role, give_two_factor

    staff = make_user("staff@example.org")
    give_role(staff, "staff", area.organisation)
    give_two_factor(staff)
    make_offers()
    payment = payment_of(membership_apply(data=joiner()))
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("staff@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    enter_two_factor_code(page)
    page.goto(live_server.url + "/staff/payments/")
    page.get_by_role("link", name="Import a bank statement").click()

    # A file with an error first: shown at the top, nothing to import.
    page.get_by_label("Bank statement (CSV)").set_input_files(files=[{
        "name": "bad.csv", "mimeType": "text/csv",
        "buffer": statement_file(f'{yesterday},{payment.reference},"25,00"')}])
    page.get_by_role("button", name="Check the statement").click()
    alert = page.get_by_role("alert")
    assert "nothing can be imported" in alert.inner_text()
    assert "Row 2" in page.locator("main").inner_text()
    assert 0 == page.get_by_role("button", name="Import bad.csv").count()

    page.get_by_label("Bank statement (CSV)").set_input_files(files=[{
        "name": "nov.csv", "mimeType": "text/csv",
        "buffer": statement_file(f"{yesterday},BGC {payment.reference} A JOINER,25.00",
                                 f"{yesterday},NO REFERENCE,10.00")}])
    page.get_by_role("button", name="Check the statement").click()
    page.get_by_role("heading", name="Check before importing: nov.csv").wait_for()
    assert "Matched and recorded: 1" in page.locator("main").inner_text()
    assert [] == serious_violations(page)
    assert Payment.Status.PENDING == Payment.objects.get(pk=payment.pk).status

    page.get_by_role("button", name="Import nov.csv").click()

    page.get_by_role("heading", name="Statement nov.csv").wait_for()
    assert "1 payment recorded (£25.00)" in page.get_by_role("status").inner_text()
    assert Payment.Status.PAID == Payment.objects.get(pk=payment.pk).status
