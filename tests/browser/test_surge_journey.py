"""The journey of part 1, end to end in headless Chromium on a phone-sized page:
a registered supporter joins, confirms their address, staff confirm the payment
through the offline provider, and the public counter moves."""

import re

import pytest
from django.core import mail

from rankfile.accounts.tests.browser import enter_two_factor_code
from rankfile.core.tests.jobs import run_jobs
from rankfile.demo.personas import give_role, give_two_factor, make_user
from rankfile.membership.stats import stats_clear
from rankfile.membership.tests.join_helpers import make_offers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _received(page, url: str) -> int:
    page.goto(url + "/stats/")
    return int(page.locator('[data-stat="received"]').inner_text().replace(",", ""))


def _active_supporters(page, url: str) -> int:
    page.goto(url + "/stats/")
    return int(page.locator('[data-stat="registered_supporter:active"]').inner_text().replace(",", ""))


def test_it_joins_is_confirmed_as_paid_and_moves_the_counter(phone, live_server, area, browser):
    make_offers()
    staff = make_user("payments@example.org", first_name="Pat", last_name="Payments")
    give_role(staff, "staff", area.organisation)
    give_two_factor(staff)
    before = _active_supporters(phone, live_server.url)

    # The joiner, on a phone.
    phone.goto(live_server.url + "/join/")
    phone.get_by_role("link", name="Join as a registered supporter").click()
    phone.get_by_label("First name").fill("Grace")
    phone.get_by_label("Last name").fill("Surge")
    phone.get_by_label("E-mail address").fill("grace.surge@example.org")
    phone.get_by_label("Date of birth").fill("1970-02-03")
    phone.get_by_label("Postcode", exact=True).fill("e47aa")
    phone.get_by_label("I agree").check()
    phone.get_by_role("button", name="Apply to join").click()
    phone.get_by_role("heading", name="Check your inbox").wait_for()
    reference = re.search(r"PAY-[0-9A-Z]+", phone.locator("main").inner_text()).group(0)
    stats_clear()
    assert 1 == _received(phone, live_server.url)  # counted as an application at once

    # The joiner confirms their address from the e-mail: only then do they count as people.
    run_jobs()
    link = re.search(r"https?://\S+(/join/confirm/\S+/)", mail.outbox[0].body).group(1)
    phone.goto(live_server.url + link)
    phone.get_by_label("New password", exact=True).fill("a long new passphrase")
    phone.get_by_label("New password confirmation").fill("a long new passphrase")
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_url("**/me/**")

    # Staff, on their own device, record the bank transfer against the reference.
    office = browser.new_page()
    office.set_default_timeout(20_000)
    office.goto(live_server.url + "/accounts/login/")
    office.get_by_label("E-mail address").fill("payments@example.org")
    office.get_by_label("Password", exact=True).fill("correct horse battery")
    office.get_by_role("button", name="Log in").click()
    office.wait_for_url("**/accounts/2fa/authenticate/")
    enter_two_factor_code(office)
    office.goto(live_server.url + "/staff/payments/")
    office.get_by_label("Payment reference, name or e-mail address").fill(reference)
    office.get_by_role("button", name="Search").click()
    office.get_by_label("Bank transfer").check()
    office.get_by_label("Amount received (£)").fill("25.00")
    office.get_by_role("button", name=f"Record payment {reference}").click()
    assert "RCP-" in office.locator("main").inner_text()
    office.close()

    # The figures are at most a few seconds old; don't wait for them in a test.
    stats_clear()

    assert before + 1 == _active_supporters(phone, live_server.url)
