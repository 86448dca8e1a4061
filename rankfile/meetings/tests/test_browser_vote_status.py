"""The vote page on a phone: a vote the chair opens appears without reloading, is cast
from the page, and goes when the chair closes it (headless Chromium, axe)."""

from __future__ import annotations

import pytest

from rankfile.meetings.models import SecretVote
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.votes import question_close, question_put
from rankfile.meetings.tests.helpers import in_session
from rankfile.meetings.tests.test_browser_meeting import _page_as, _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_vote_appears_is_cast_and_closes_on_an_open_page(browser, live_server, area):
    meeting, chair, _, people = in_session(area, 2)
    motion = motion_submit(by=people[0], meeting=meeting, title="Rent", proposer=people[0],
                           seconder=people[1],
                           text="This branch calls for rent controls in every borough.")
    phone = _page_as(browser, live_server, people[0])
    phone.goto(f"{live_server.url}/meetings/{meeting.pk}/vote/")
    assert phone.locator("#no-vote").is_visible()

    question = question_put(by=chair, motion=motion, method="secret")
    phone.evaluate("window.rankfileVotePoll()")
    phone.get_by_role("heading", name="Motion").wait_for()
    problems = _serious(phone)
    assert "rent controls in every borough" in phone.inner_text("main")
    assert not phone.locator("#no-vote").is_visible()
    phone.get_by_role("button", name="For").click()
    phone.locator(".voted").wait_for()
    voted = phone.locator(".voted").inner_text()
    question_close(by=chair, question=question)
    phone.evaluate("window.rankfileVotePoll()")
    phone.locator("#no-vote").wait_for()
    news = phone.locator("#vote-news").inner_text()
    phone.context.close()

    assert [] == problems
    assert "Your vote is counted" in voted
    assert "The vote has closed." == news
    assert ["for"] == list(SecretVote.objects.values_list("choice", flat=True))
