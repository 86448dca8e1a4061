"""/accounts/email/ in a browser: an unverified address cannot be made primary."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from rankfile.demo.personas import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_making_an_unverified_address_primary_says_why_and_changes_nothing(phone, live_server):
    ada = make_user("ada@example.org")
    make_user("bea@example.org")
    client = Client()
    client.force_login(ada)
    phone.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                "url": live_server.url}])
    phone.goto(live_server.url + "/accounts/email/")
    # By id and name: the login library's wording is being reworded elsewhere.
    phone.locator("#id_email").fill("bea@example.org")
    phone.locator('button[name="action_add"]').click()
    expect(phone.locator("main")).to_contain_text("bea@example.org")

    phone.get_by_label("bea@example.org", exact=False).check()
    phone.locator('button[name="action_primary"]').click()

    expect(phone.locator(".messages")).to_contain_text(
        "Confirm bea@example.org before making it your primary address")
    ada.refresh_from_db()
    assert "ada@example.org" == ada.email
