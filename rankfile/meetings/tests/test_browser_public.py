"""A meeting open to the public in headless Chromium on a phone: an anonymous visitor reads
its page, downloads the calendar file and signs up as a guest; a teller finds the guest at
the door; a member's QR code shows on /me/. Axe checks the public page and the sign-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from rankfile.accounts.models import Role
from rankfile.meetings.models import Attendance, Guest
from rankfile.meetings.tests.helpers import members, officer
from rankfile.meetings.tests.test_public import rally

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
SERIOUS = {"serious", "critical"}
PHONE = {"width": 360, "height": 740}


def _serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in AXE.run(page).response["violations"] if v["impact"] in SERIOUS]


def _page(browser: Any, live_server: Any, user: Any = None) -> Any:
    # No bypass of the content security policy: the pages must work under it.
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
    return page


def test_a_visitor_signs_up_for_a_public_meeting_and_is_found_at_the_door(browser, live_server,
                                                                          area):
    meeting = rally(area)
    teller = officer("teller@example.org", Role.Kind.TELLER, meeting.body)
    (mo,) = members(area, 1)
    problems: dict[str, list[str]] = {}
    errors: list[str] = []

    visitor = _page(browser, live_server)
    # Script errors and policy violations (a refused inline script would show here); the
    # favicon's 404 and the deliberate 400 below are answers, not errors of the page.
    visitor.on("console", lambda m: errors.append(m.text) if m.type == "error"
               and not m.text.startswith("Failed to load resource") else None)
    visitor.goto(f"{live_server.url}/events/{meeting.pk}/")
    assert "Rally for rent controls" in visitor.locator("h1").inner_text()
    problems["public page"] = _serious(visitor)
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Add to your calendar (.ics)").click()
    ics = Path(download.value.path()).read_text()
    assert "BEGIN:VCALENDAR" in ics and "SUMMARY:Rally for rent controls" in ics

    visitor.get_by_label("Your name").fill("Gita Guest")
    visitor.get_by_label("Your e-mail address").fill("not an address")
    visitor.get_by_role("button", name="Sign up").click()
    assert "Enter an e-mail address like name@example.org." in visitor.inner_text(
        ".error-summary")
    problems["sign-up with errors"] = _serious(visitor)
    visitor.get_by_label("Your e-mail address").fill("gita@example.org")
    visitor.get_by_label("No, only about this meeting").check()
    visitor.get_by_role("button", name="Sign up").click()
    assert "you are on the list of guests" in visitor.inner_text("main")
    problems["signed up"] = _serious(visitor)
    visitor.context.close()
    guest = Guest.objects.get()
    assert ("Gita Guest", False) == (guest.name, guest.consent_to_contact)

    door = _page(browser, live_server, teller)
    door.goto(f"{live_server.url}/meetings/{meeting.pk}/door/")
    door.get_by_label("Name, postcode or membership number").fill("Gita")
    door.get_by_role("button", name="Search").click()
    door.get_by_role("button", name="Check in Gita Guest").click()
    assert "Guest: Gita Guest" in door.locator("#verdict").inner_text()
    problems["door"] = _serious(door)
    door.context.close()
    assert 1 == Attendance.objects.filter(meeting=meeting, guest=guest).count()

    home = _page(browser, live_server, mo)
    home.goto(f"{live_server.url}/me/")
    qr = home.locator("svg.qr")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150 and box["x"] + box["width"] <= PHONE["width"]
    assert home.locator("code.checkin-code").inner_text().strip()
    problems["/me/"] = _serious(home)
    home.context.close()

    assert [] == errors
    assert {k: [] for k in problems} == problems
