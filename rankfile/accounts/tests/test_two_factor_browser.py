"""An officer sets up two-factor authentication in a browser, then logs in with it."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from rankfile.demo.personas import PASSWORD, give_role, make_user, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious(page):
    found = Axe().run(page).response["violations"]
    return [v["id"] for v in found if v["impact"] in ("serious", "critical")]


def test_an_officer_sets_up_two_factor_and_logs_in_with_it(phone, live_server, area, _clock):
    officer = make_user("new.secretary@example.org", first_name="Nia", last_name="New")
    give_role(officer, "secretary", area.branch)

    phone.goto(live_server.url + "/officers/members/")
    phone.get_by_label("E-mail address").fill(officer.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in", exact=True).click()

    # Sent to set up two-factor, through "confirm it is you" (a sensitive change).
    phone.wait_for_url("**/accounts/reauthenticate/**")
    assert phone.get_by_text("Officers need two-factor authentication").is_visible()
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_url("**/accounts/2fa/totp/activate/")
    assert [] == _serious(phone)
    secret = phone.locator("#authenticator_secret").inner_text().strip()
    phone.get_by_label("Authenticator code").fill(totp_code(secret))
    phone.get_by_role("button", name="Turn on two-factor authentication").click()

    phone.wait_for_url("**/accounts/2fa/recovery-codes/")
    codes = phone.locator(".recovery-codes li").all_inner_texts()
    assert 10 == len(codes) and all(re.fullmatch(r"[0-9a-z]+", c.strip()) for c in codes)
    assert [] == _serious(phone)
    phone.goto(live_server.url + "/officers/members/")
    assert "Members" == phone.get_by_role("heading", level=1).inner_text()

    # Log out, and back in: the password, then the app's next code.
    phone.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    phone.wait_for_url(lambda url: "/officers/" not in url)
    _clock.shift(dt.timedelta(seconds=30))  # a code is good once: the app's next one
    phone.goto(live_server.url + "/officers/members/")
    phone.get_by_label("E-mail address").fill(officer.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in", exact=True).click()
    phone.wait_for_url("**/accounts/2fa/authenticate/")
    assert [] == _serious(phone)
    phone.get_by_label("Code").fill(totp_code(secret))
    phone.get_by_role("button", name="Log in", exact=True).click()

    phone.wait_for_url("**/officers/members/")
    assert "Members" == phone.get_by_role("heading", level=1).inner_text()
