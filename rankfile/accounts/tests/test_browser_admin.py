"""The admin in a browser: entered through the site's login, by roles."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from rankfile.accounts.tests.browser import log_in_with_password
from rankfile.demo.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    log_in_with_password(page, email, PASSWORD)


def test_staff_reach_the_admin_through_the_sites_login(phone, live_server, staff):
    phone.goto(live_server.url + "/admin/membership/")

    assert "/accounts/login/" in phone.url
    log_in(phone, staff.email)

    phone.wait_for_url("**/admin/membership/")
    assert phone.get_by_role("link", name="Categories").is_visible()


def test_a_member_is_told_plainly_the_admin_is_not_for_them(phone, live_server, member):
    phone.goto(live_server.url + "/admin/")
    log_in(phone, member.email)

    phone.wait_for_url("**/admin/")
    phone.reload()  # past the "signed in" message, which is base.html's, not this page's
    found = Axe().run(phone).response["violations"]

    assert "You cannot use the admin" == phone.get_by_role("heading", level=1).inner_text()
    assert [] == [(v["id"], v["impact"]) for v in found if v["impact"] in ("serious", "critical")]
