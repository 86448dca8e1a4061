"""A trigger ballot across the constituency's branches and its affiliate, in headless
Chromium with axe over each page: the constituency's secretary starts it, each
body's secretary links the vote their meeting took, and the outcome page shows the
result read from those records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone

from rankfile.selections.models import Selection
from rankfile.selections.tests.helpers import decided, make_affiliate, officer

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


def test_a_trigger_ballot_reaches_its_outcome_from_the_bodies_recorded_decisions(
        browser, live_server, area):
    affiliate = make_affiliate(area)
    con_secretary = officer("con.secretary@example.org", "secretary", area.constituency)
    secretaries = {
        area.branch: officer("chn.secretary@example.org", "secretary", area.branch),
        area.other_branch: officer("hph.secretary@example.org", "secretary", area.other_branch),
        affiliate: officer("aff.secretary@example.org", "secretary", affiliate)}
    problems: dict[str, list[str]] = {}

    # The constituency's secretary starts the selection.
    page = _page_as(browser, live_server, con_secretary)
    page.goto(f"{live_server.url}/selections/")
    page.get_by_role("link", name="In Chingford and Woodford Green").click()
    problems["new"] = _serious(page)
    page.get_by_label("Office").fill("Member of Parliament for Chingford and Woodford Green")
    page.get_by_label("Sitting representative").fill("Pat Sitting")
    deadline = timezone.localtime() + dt.timedelta(days=30)
    page.get_by_label("Deadline for the branches' and affiliates' decisions").fill(
        deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Start the selection").click()
    page.wait_for_url("**/selections/*/")
    selection = Selection.objects.get()
    assert Selection.Stage.TRIGGER == selection.stage

    # Each body's meeting votes on the motion (Chingford yes; Highams Park and Unite no).
    votes = {area.branch: decided(area.branch, area, carried=True, figures=(23, 11, 4)),
             area.other_branch: decided(area.other_branch, area, carried=False,
                                        figures=(8, 14, 1)),
             affiliate: decided(affiliate, area, carried=False, figures=(3, 5, 0))}

    for body, secretary in secretaries.items():
        page = _page_as(browser, live_server, secretary)
        page.goto(f"{live_server.url}{selection.get_absolute_url()}")
        page.get_by_role("link", name=f"Record the decision of {body.name}").click()
        problems[f"decide {body.code}"] = _serious(page)
        page.get_by_label("The vote that decided it").select_option(str(votes[body].pk))
        page.get_by_role("button", name="Record the decision").click()
        page.wait_for_url(f"**{selection.get_absolute_url()}")
        assert f"{body.name}'s decision is recorded." in page.content()

    outcome = page.locator("#outcome")
    assert "Outcome: Open selection." in outcome.inner_text()
    assert "1 of 2 branches and 0 of 1 affiliates said yes" in outcome.inner_text()
    table = page.get_by_role("table", name="Each body's decision").inner_text()
    assert "23\t11\t4" in table and "8\t14\t1" in table and "3\t5\t0" in table
    problems["outcome"] = _serious(page)

    # The outcome is public.
    visitor = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    visitor.goto(f"{live_server.url}{selection.get_absolute_url()}")
    assert "Outcome: Open selection." in visitor.locator("#outcome").inner_text()
    assert "Nominations" == visitor.locator("#stage").inner_text()
    problems["public"] = _serious(visitor)

    assert {k: v for k, v in problems.items() if v} == {}
