"""A card vote and a recount by a second method in headless Chromium, the chair's tally
updating live under the site's Content-Security-Policy, then the minutes approved at the
branch's next meeting and listed on the branch's page; axe over each page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from rankfile.meetings.models import CardVote, Minutes, Motion, Question
from rankfile.meetings.services.door import attendee_check_in, meeting_open
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.tests.helpers import chingford_meeting, in_session
from rankfile.membership.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
SERIOUS = {"serious", "critical"}


def _serious(page: Any) -> list[str]:
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in AXE.run(page).response["violations"] if v["impact"] in SERIOUS]


def _page_as(browser: Any, live_server: Any, user: Any, *, bypass_csp: bool = True) -> Any:
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return page


def test_a_card_vote_a_recount_and_the_minutes_approved_next_time(browser, live_server, area):
    meeting, chair, teller, people = in_session(area, 3)
    refs = [Membership.objects.get(user=u).reference for u in people]
    motion_submit(by=people[0], meeting=meeting, title="Rent", proposer=people[0],
                  seconder=people[1], text="This branch calls for rent controls.")
    base = f"{live_server.url}/meetings/{meeting.pk}"
    problems: dict[str, list[str]] = {}
    errors: list[str] = []

    # The secretary sets up two cards; a weight typed wrong is refused at its field.
    secretary = _page_as(browser, live_server, chair, bypass_csp=False)
    secretary.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    secretary.goto(f"{base}/cards/")
    secretary.get_by_label("Holder's membership number").fill(refs[0])
    secretary.get_by_label("Casts for (the affiliate or branch)").fill("GMB")
    secretary.get_by_label("Weight").fill("twelve thousand")
    secretary.get_by_role("button", name="Add the card").click()
    assert "whole number from 1 to 10,000,000" in secretary.locator("#weight-error").inner_text()
    problems["cards error"] = _serious(secretary)
    secretary.get_by_label("Weight").fill("12,000")
    secretary.get_by_role("button", name="Add the card").click()
    for ref, name, weight in ((refs[1], "Unite", "9,000"), (refs[2], "Chingford", "500")):
        secretary.get_by_label("Holder's membership number").fill(ref)
        secretary.get_by_label("Casts for (the affiliate or branch)").fill(name)
        secretary.get_by_label("Weight").fill(weight)
        secretary.get_by_role("button", name="Add the card").click()
    assert "3 cards, total weight 21,500" in secretary.content()
    problems["cards"] = _serious(secretary)

    # The chair puts the motion to a card vote; the tally moves without a reload.
    secretary.goto(f"{base}/chair/")
    secretary.get_by_role("button", name="Put motion 1 to a card vote").click()
    tally = secretary.locator(".votes-cast")
    assert "0 of 3 cards cast" in tally.inner_text()
    problems["chair, card vote open"] = _serious(secretary)
    holder = _page_as(browser, live_server, people[1])
    holder.goto(f"{base}/vote/")
    assert "Card votes are not secret" in holder.content()
    problems["vote, card"] = _serious(holder)
    holder.get_by_role("button", name="Against (card for Unite)").click()
    assert "The card for Unite (9,000) is cast against" in holder.content()
    holder.context.close()
    secretary.get_by_text("1 of 3 cards cast").wait_for()  # polled, not reloaded

    door = _page_as(browser, live_server, teller)
    door.goto(f"{base}/questions/{Question.objects.get().pk}/cards/")
    door.get_by_role("button", name="For (card for GMB)").click()
    door.get_by_role("button", name="Against (card for Chingford)").click()
    assert "(entered by a teller)" in door.content()
    problems["card sheet"] = _serious(door)
    door.context.close()
    secretary.get_by_text("3 of 3 cards cast").wait_for()
    secretary.get_by_role("button", name="Close the card vote").click()
    assert ("12,000 for, 9,500 against, 0 abstentions (cards' weights), 3 cards cast: carried"
            in secretary.inner_text("body"))

    # Contested: the chair recounts by a show of hands, whose result stands.
    secretary.get_by_role("button", name="Recount by show of hands").click()
    secretary.get_by_label("For").fill("1")
    secretary.get_by_label("Against").fill("2")
    secretary.get_by_label("Abstentions").fill("0")
    secretary.get_by_role("button", name="Record the count").click()
    body = secretary.inner_text("body")
    assert "Contested: recounted below" in body
    assert "1 for, 2 against, 0 abstentions: lost" in body
    problems["chair, recounted"] = _serious(secretary)
    assert Motion.Status.LOST == Motion.objects.get().status

    # The minutes show both results; published, they go to the next meeting.
    secretary.goto(f"{base}/minutes/")
    secretary.get_by_role("button", name="Draft the minutes from the record").click()
    secretary.get_by_role("button", name="Publish the minutes").click()
    minutes = secretary.locator(".minutes").inner_text()
    for shown in ("Card vote: 12,000 for, 9,500 against", "GMB (12,000) for",
                  "Unite (9,000) against", "Recount of that result, by a second method "
                  "(show of hands)", "Show of hands: 1 for, 2 against", "Outcome: Lost."):
        assert shown in minutes
    following = chingford_meeting(area, by=chair, days=40)
    secretary.reload()
    secretary.get_by_role("button", name="Put the minutes to Branch meeting of").click()
    assert "Not yet approved: on the agenda of Branch meeting" in secretary.inner_text(
        "#minutes-status")
    problems["minutes"] = _serious(secretary)

    meeting_open(by=chair, meeting=following)
    for ref in refs:
        attendee_check_in(by=teller, meeting=following, reference=ref)
    secretary.goto(f"{live_server.url}/meetings/{following.pk}/chair/")
    secretary.get_by_role("button", name="Put motion 1 to a show of hands").click()
    secretary.get_by_label("For").fill("3")
    secretary.get_by_label("Against").fill("0")
    secretary.get_by_label("Abstentions").fill("0")
    secretary.get_by_role("button", name="Record the count").click()
    secretary.context.close()
    assert Minutes.objects.get(meeting=meeting).approved_by == following

    member = _page_as(browser, live_server, people[0])
    member.goto(f"{live_server.url}/branches/{area.branch.code}/")
    listed = member.locator("#branch-minutes").inner_text()
    assert "Branch meeting" in listed and "approved" in listed
    problems["branch"] = _serious(member)
    member.locator("#branch-minutes a").click()
    assert "Approved by Branch meeting of" in member.inner_text("#minutes-status")
    member.wait_for_load_state("load")  # the stylesheet too: a busy machine is slow to load it
    member.emulate_media(media="print")
    expect(member.locator("header.site")).to_be_hidden()
    expect(member.locator(".minutes")).to_be_visible()
    member.context.close()

    assert 3 == CardVote.objects.count()
    assert [] == [e for e in errors if "Content Security Policy" in e]
    assert {k: [] for k in problems} == problems
