"""What a person applying sees is the same for an address we know and a new one."""

import re

import pytest

from rankfile.membership.models import Membership, RepeatApplication
from rankfile.membership.tests.join_helpers import fill_join_form, make_offers, must_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def apply(page, url: str, email: str) -> str:
    page.context.clear_cookies()
    page.goto(url + "/join/registered_supporter/")
    fill_join_form(page, **{"E-mail address": email})
    page.get_by_role("button", name="Apply to join").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    return page.locator("main").inner_text()


def test_a_known_and_a_new_address_see_the_same_page(phone, live_server, area, outsider):
    make_offers()

    known = apply(phone, live_server.url, "outsider@example.org")
    new = apply(phone, live_server.url, "new@example.org")

    def blank(text: str) -> str:
        return re.sub(r"\b(RF|PAY)-[0-9A-Z]+", "REF", text)

    assert blank(known) == blank(new)
    assert "£25.00" in known and "PAY-" in known
    # The references the known address was shown are real ones, for staff to find.
    shown = must_search(r"RF-[0-9A-Z]+", known).group(0)
    assert RepeatApplication.objects.filter(reference=shown).exists()
    assert not Membership.objects.filter(user__email="outsider@example.org").exists()
