"""Creating an API token in a browser: shown once, and a refresh makes no second one."""

import pytest
from playwright.sync_api import expect

from rankfile.accounts.models import ApiToken
from rankfile.front.tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refresh_after_creating_a_token_makes_no_second_one(phone, live_server, staff):
    log_in(phone, live_server, staff)
    phone.goto(live_server.url + "/account/tokens/")
    phone.get_by_label("Name").fill("Export script")
    phone.get_by_role("button", name="Create token").click()
    expect(phone.get_by_role("heading", name="Copy your new token now")).to_be_visible()
    secret = phone.get_by_label("New token").input_value()

    phone.reload()

    assert secret.startswith("rf_")
    assert 1 == ApiToken.objects.count()
    expect(phone.get_by_role("heading", name="Copy your new token now")).to_have_count(0)
    expect(phone.get_by_role("cell", name="Export script", exact=True)).to_be_visible()
