"""What a person sees of the layout, in headless Chromium: the focus ring, the header,
references and tables on a phone, and each role's navigation."""

import pytest
from playwright.sync_api import expect

from rankfile.front.tests.conftest import log_in
from rankfile.membership.tests.factories import make_member_in, make_payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """(el) => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const [r, g, b] = getComputedStyle(el).outlineColor.match(/\\d+/g).map(Number);
  const lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  return {ratio: 1.05 / (lum + 0.05), style: getComputedStyle(el).outlineStyle,
          width: parseFloat(getComputedStyle(el).outlineWidth)};
}"""


def test_the_keyboard_focus_ring_stands_out_against_white(page, live_server, area):
    page.goto(live_server.url + "/branches/")

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    ring = page.evaluate_handle("document.activeElement").evaluate(CONTRAST)

    assert "solid" == ring["style"] and 2 <= ring["width"]
    assert 3 <= ring["ratio"]  # WCAG 2.2, 1.4.11: 3:1 for focus indicators


@pytest.mark.parametrize("width", [360, 1366])
def test_log_out_sits_on_the_line_of_the_other_links(page, live_server, area, member, width):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, member)
    page.goto(live_server.url + "/branches/")

    # The link just before it: on a phone the links wrap over three lines, and the button
    # must sit on its line like a link, not above or below it.
    link = page.get_by_role("link", name="Meetings").bounding_box()
    button = page.get_by_role("button", name="Log out").bounding_box()

    assert abs((link["y"] + link["height"] / 2) - (button["y"] + button["height"] / 2)) <= 2


def test_a_reference_never_breaks_across_lines_on_a_phone(phone, live_server, area, outsider):
    membership = make_member_in(area, outsider, status="applied")
    make_payment(membership, status="pending")
    log_in(phone, live_server, outsider)
    phone.goto(live_server.url + "/me/")

    references = phone.locator(".reference")

    assert 2 <= references.count()
    for i in range(references.count()):
        lines = references.nth(i).evaluate("(el) => el.getClientRects().length")
        assert 1 == lines, references.nth(i).inner_text()


def test_a_wide_table_scrolls_in_its_own_box_on_a_phone_and_says_so(phone, live_server, area,
                                                                      staff):
    membership = make_member_in(area, first_name="Ada", last_name="Member")
    make_payment(membership, status="paid")
    log_in(phone, live_server, staff)
    phone.goto(live_server.url + f"/officers/members/{membership.reference}/")

    box = phone.get_by_role("region", name="Payments")

    assert 360 >= phone.evaluate("document.documentElement.scrollWidth")
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    expect(phone.locator(".scroll-hint.shown").first).to_be_visible()
    box.focus()  # a keyboard user can scroll it
    phone.keyboard.press("ArrowRight")
    expect(box).not_to_have_js_property("scrollLeft", 0)


def test_the_secretary_reaches_their_members_from_the_navigation(phone, live_server, area,
                                                                secretary):
    make_member_in(area, first_name="Ada", last_name="Member")
    log_in(phone, live_server, secretary)
    phone.goto(live_server.url + "/")

    phone.get_by_role("navigation", name="Your work").get_by_role("link", name="Members").click()

    expect(phone.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    expect(phone.get_by_role("link", name="Members", exact=True)).to_have_attribute(
        "aria-current", "page")
    expect(phone.get_by_role("cell", name="Ada Member")).to_be_visible()


def test_a_visitor_finds_their_branch_from_the_front_page(phone, live_server, area):
    phone.goto(live_server.url + "/")

    phone.get_by_label("Find your branch").fill("e4 7aa")
    phone.get_by_role("button", name="Find my branch").click()
    phone.get_by_role("link", name="Chingford").click()

    expect(phone.get_by_role("heading", name="Chingford branch")).to_be_visible()
    expect(phone.get_by_role("link", name="Join and be part of Chingford")).to_be_visible()
    assert 360 >= phone.evaluate("document.documentElement.scrollWidth")
