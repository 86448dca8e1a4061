"""The content security policy breaks nothing a person uses: Chromium, enforcing it,
reports no violation on the main pages (the live count's chart, the admin and the
API's documentation included), and it refuses a script injected inline."""

from __future__ import annotations

from typing import Any

import pytest

from rankfile.front.tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISITOR = ["/", "/join/", "/join/member/", "/stats/", "/articles/", "/branches/",
           "/accounts/login/", "/api/docs"]
STAFF = ["/me/", "/officers/members/", "/staff/payments/", "/admin/",
         "/admin/membership/membership/", "/account/tokens/"]


def _violations(page: Any, live_server: Any, urls: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = {"url": ""}

    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            found.setdefault(current["url"], []).append(message.text[:200])

    page.on("console", note)
    for url in urls:
        current["url"] = url
        assert 200 == page.goto(live_server.url + url).status, url
        page.wait_for_load_state("load")
    return found


def test_the_main_pages_run_under_the_policy_without_a_violation(browser, live_server, offers,
                                                                 article, staff):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)

    visitor = _violations(page, live_server, VISITOR + [article.get_absolute_url()])
    log_in(page, live_server, staff)
    staffed = _violations(page, live_server, STAFF)
    context.close()

    assert {} == visitor
    assert {} == staffed


def test_the_policy_refuses_an_inline_script(page, live_server, db):
    """The check is real: an inline script added to a page does not run."""
    page.goto(live_server.url + "/privacy/")
    page.evaluate("() => { const s = document.createElement('script'); "
                  "s.textContent = 'window.injected = 1'; document.body.appendChild(s); }")

    assert page.evaluate("window.injected === undefined")
