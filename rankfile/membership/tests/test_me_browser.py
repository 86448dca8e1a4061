import pytest

from rankfile.demo.personas import make_user
from rankfile.membership.tests.factories import make_member_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_member_move_branch_from_their_phone(phone, live_server, area):
    user = make_user("mo@example.org")
    membership = make_member_in(area, user, first_name="Mo")

    phone.goto(live_server.url + "/me/")
    phone.get_by_label("E-mail address").fill("mo@example.org")
    phone.get_by_label("Password").fill("correct horse battery")
    phone.get_by_role("button", name="Log in").click()

    phone.get_by_role("heading", name="My membership").wait_for()
    assert membership.reference in phone.content()
    assert "Chingford" in phone.locator("dl.facts").inner_text()

    phone.get_by_role("link", name="Change your address").click()
    phone.get_by_label("Address").fill("9 Hale End Road, London")
    phone.get_by_label("Postcode").fill("e4 9aa")
    phone.get_by_role("button", name="Save my address").click()

    status = phone.get_by_role("status").first.inner_text()
    assert "You are now in the Highams Park branch." in status
    assert "Highams Park" in phone.locator("dl.facts").inner_text()
