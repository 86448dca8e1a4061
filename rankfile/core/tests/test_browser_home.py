import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_home_page_on_a_phone(phone, live_server):
    phone.goto(live_server.url + "/")

    assert "Join now" in phone.get_by_role("link", name="Join now").inner_text()
