"""The live count as a visitor sees it: every figure moves, and the table fits or says so."""

import pytest
from playwright.sync_api import expect

from rankfile.membership.models import Membership
from rankfile.membership.stats import stats_clear
from rankfile.membership.tests.factories import make_membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_updates_the_all_row_and_the_headline_live(page, live_server, db):
    make_membership(status=Membership.Status.ACTIVE)
    page.goto(live_server.url + "/stats/")
    expect(page.locator('tfoot [data-stat="people"]')).to_have_text("1")

    make_membership(status=Membership.Status.ACTIVE)
    make_membership(status=Membership.Status.RESIGNED)
    stats_clear()
    page.evaluate("window.rankfileStatsRefresh()")

    expect(page.locator('tfoot [data-stat="people"]')).to_have_text("3")
    expect(page.locator('tfoot [data-stat="member"]')).to_have_text("3")
    expect(page.locator('td[data-stat="status:active"]')).to_have_text("2")
    expect(page.locator('#stats-total [data-stat="in_good_standing"]')).to_have_text("2")
    expect(page.locator('[data-stat="ended"]')).to_have_text("1")


@pytest.mark.parametrize("width, scrolls", [(1366, False), (360, True)])
def test_the_table_fits_a_laptop_and_scrolls_with_a_cue_on_a_phone(page, live_server, db,
                                                                   width, scrolls):
    make_membership()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/stats/")

    box = page.get_by_role("region", name="By category and status")

    assert scrolls == box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert width >= page.evaluate("document.documentElement.scrollWidth")
    hint = page.get_by_text("scroll it sideways")
    if scrolls:
        expect(hint).to_be_visible()
    else:
        expect(hint).to_be_hidden()


def test_the_chart_shows_its_scale(page, live_server, db):
    make_membership()
    page.goto(live_server.url + "/stats/")

    expect(page.locator(".y-axis span").first).to_have_text("0")
    assert 2 <= page.locator(".y-axis span").count()
    assert 1 <= page.locator(".x-axis span").count()
