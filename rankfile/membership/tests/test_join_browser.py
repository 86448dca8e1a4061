import pytest
from playwright.sync_api import expect

from rankfile.membership.tests.join_helpers import fill_join_form, make_offers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_joins_on_a_phone_with_the_keyboard(phone, live_server, area):
    make_offers()
    phone.goto(live_server.url + "/join/")
    phone.get_by_role("link", name="Join as a registered supporter").click()

    phone.get_by_label("First name").fill("Ada")
    phone.get_by_label("Last name").fill("Joiner")
    phone.get_by_label("E-mail address").fill("ada@example.org")
    phone.get_by_label("Date of birth").fill("1980-05-17")
    phone.get_by_label("Postcode", exact=True).fill("e4 9zz")
    phone.get_by_label("I agree").check()
    phone.get_by_role("button", name="Apply to join").press("Enter")

    alert = phone.get_by_role("alert")
    assert "We could not find E4 9ZZ" in alert.inner_text()
    alert.get_by_role("link").first.click()
    assert "id_postcode" == phone.evaluate("document.activeElement.id")

    phone.get_by_label("Postcode", exact=True).fill("E4 7AA")
    phone.get_by_label("I agree").check()
    phone.get_by_role("button", name="Apply to join").click()

    phone.get_by_role("heading", name="Check your inbox").wait_for()
    body = phone.locator("main").inner_text()
    assert "PAY-" in body and "£25.00" in body and "RF-" in body


def test_a_joiner_whose_form_expired_sends_it_again_without_retyping(phone, live_server, area):
    """The CSRF cookie is gone (a long-open page, a cleared browser): the form comes back
    with what was typed and a message, and one press sends it."""
    make_offers()
    phone.goto(live_server.url + "/join/registered_supporter/")
    fill_join_form(phone)
    phone.context.clear_cookies()
    phone.get_by_role("button", name="Apply to join").click()

    expect(phone.get_by_role("alert")).to_contain_text("Your details were not sent")
    expect(phone.get_by_role("alert")).to_be_focused()
    expect(phone.get_by_label("First name")).to_have_value("Ada")
    expect(phone.get_by_label("Date of birth")).to_have_value("17/05/1980")
    phone.get_by_role("button", name="Apply to join").click()

    phone.get_by_role("heading", name="Check your inbox").wait_for()
