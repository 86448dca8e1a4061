"""A branch meeting in headless Chromium, end to end, with axe over each of its pages:
a teller checks people in, the chair admits an emergency motion, an amendment passes,
the amended motion goes to a secret vote cast from several pages, the minutes show it."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from rankfile.accounts.models import Role
from rankfile.meetings.models import Meeting, Motion, Question, SecretVote
from rankfile.meetings.services.motions import amendment_submit, motion_submit
from rankfile.meetings.tests.helpers import chingford_meeting, members, officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
SERIOUS = {"serious", "critical"}


def _serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in AXE.run(page).response["violations"] if v["impact"] in SERIOUS]


def _page_as(browser: Any, live_server: Any, user: Any) -> Any:
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return page


def test_a_branch_meeting_runs_end_to_end_in_the_browser(browser, live_server, area):
    chair = officer("chair@example.org", Role.Kind.CHAIR, area.branch)
    teller = officer("teller@example.org", Role.Kind.TELLER, area.branch)
    meeting = chingford_meeting(area, by=chair, days=3, deadline_days=1)
    people = members(area, 3)
    rent = motion_submit(by=people[0], meeting=meeting, title="Rent", proposer=people[0],
                         seconder=people[1],
                         text="This branch calls for rent controls in every borough.")
    Meeting.objects.filter(pk=meeting.pk).update(motions_deadline=meeting.called_at)
    meeting.refresh_from_db()
    motion_submit(by=people[1], meeting=meeting, title="Evictions", proposer=people[1],
                  seconder=people[2], emergency=True, urgency_reason="They are on Monday.",
                  text="This branch supports the Smith family.")
    amendment_submit(by=people[2], motion=rent, kind="replace", target="every borough",
                     new_text="London", proposer=people[2], seconder=people[0])
    base = f"{live_server.url}/meetings/{meeting.pk}"
    problems: dict[str, list[str]] = {}

    door = _page_as(browser, live_server, teller)
    door.goto(f"{base}/door/")
    door.get_by_label("Name, postcode or membership number").fill("Name")
    door.get_by_role("button", name="Search").click()
    problems["door"] = _serious(door)
    for n in range(3):
        door.get_by_role("button", name=f"Check in Name{n} Person{n}").click()
        assert "Voting member of this body" in door.locator("#verdict").inner_text()
        door.get_by_label("Name, postcode or membership number").fill("Name")
        door.get_by_role("button", name="Search").click()
    door.get_by_label("Guest's name").fill("Gita Guest")
    door.get_by_role("button", name="Check in a guest").click()
    assert "Guest" in door.locator("#verdict").inner_text()

    chairing = _page_as(browser, live_server, chair)
    chairing.goto(f"{base}/chair/")
    chairing.get_by_role("button", name="Open the meeting").click()
    assert "4 present, 3 voting members" in chairing.locator("#presence").inner_text()
    chairing.get_by_role("button", name="Ask the meeting to take motion 2: show of hands").click()
    chairing.get_by_label("For").fill("3")
    chairing.get_by_label("Against").fill("0")
    chairing.get_by_label("Abstentions").fill("0")
    chairing.get_by_role("button", name="Record the count").click()
    chairing.get_by_role("button", name="Put amendment 1 to a show of hands").click()
    chairing.get_by_label("For").fill("2")
    chairing.get_by_label("Against").fill("1")
    chairing.get_by_label("Abstentions").fill("0")
    chairing.get_by_role("button", name="Record the count").click()
    chairing.get_by_role("button", name="Put motion 1 to a secret vote").click()
    problems["chair"] = _serious(chairing)

    for n, user in enumerate(people):
        phone = _page_as(browser, live_server, user)
        phone.goto(f"{base}/vote/")
        assert "rent controls in London" in phone.content()
        if n == 0:
            problems["vote"] = _serious(phone)
        phone.get_by_role("button", name="Against" if n == 2 else "For").click()
        # The page's script casts it and says so without leaving the page.
        phone.locator(".voted").wait_for()
        assert "Your vote is counted" in phone.content()
        phone.context.close()

    chairing.reload()
    assert "3 votes cast" in chairing.locator(".votes-cast").inner_text()
    chairing.get_by_role("button", name="Close the vote").click()
    assert "2 for, 1 against, 0 abstentions: carried" in chairing.inner_text("body")
    chairing.goto(f"{base}/minutes/")
    chairing.get_by_role("button", name="Draft the minutes from the record").click()
    minutes = chairing.locator(".minutes").inner_text()
    problems["minutes"] = _serious(chairing)
    for page_url in ("/", "/motions/new/"):
        chairing.goto(f"{base}{page_url}")
        problems[page_url] = _serious(chairing)
    chairing.goto(f"{live_server.url}/meetings/")
    problems["list"] = _serious(chairing)
    chairing.goto(f"{live_server.url}/meetings/call/WF-CHN/")
    problems["call"] = _serious(chairing)
    chairing.context.close()
    door.context.close()

    assert Motion.Status.CARRIED == Motion.objects.get(number=1).status
    assert Motion.Status.SUBMITTED == Motion.objects.get(number=2).status
    assert 3 == SecretVote.objects.count()
    assert 3 == Question.objects.count()
    for shown in ("Emergency motion 2: Evictions", "Take the emergency motion",
                  "Replace “every borough” with “London”", "Final text: This branch calls for "
                  "rent controls in London.", "2 for, 1 against", "3 voting members"):
        assert shown in minutes
    assert {k: [] for k in problems} == problems
