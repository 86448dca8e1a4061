"""axe-core over the main pages, logged out and as each role: no serious or critical
violation (WCAG 2.2 A and AA rules, and axe's best practices)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from rankfile.accounts.email_change import email_change_token
from rankfile.discussion.services.comments import comment_post
from rankfile.front.tests.conftest import log_in
from rankfile.mailings.services import unsubscribe_token
from rankfile.membership.models import Membership
from rankfile.membership.tests.factories import make_member_in, make_membership, make_payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
# Pages checked in their "not found" state on purpose.
NOT_FOUND = {"/no-such-page/": 404, "/branches/find/?postcode=E4+0ZZ": 404,
             "/officers/access-log/?since=nonsense": 400}
AXE = Axe()


@pytest.fixture
def scene(area, offers, article, member, staff, secretary, moderator, author, auditor):
    """Something on every page: a joining window, an applicant with a payment to record,
    one waiting to be placed, a comment awaiting moderation, a member's record."""
    applicant = make_member_in(area, first_name="Ann", last_name="Applicant",
                               status=Membership.Status.APPLIED)
    payment = make_payment(applicant, status="pending")
    unplaced = make_membership(first_name="Una", last_name="Unplaced", postcode="E4 9ZZ",
                               status=Membership.Status.APPLIED, needs_placement=True)
    comment_post(article=article, text="A first comment.", user=member)
    visitor = comment_post(article=article, text="Visitors wait for approval.", name="Val",
                           email="val@example.org", secret="s" * 32)
    return {"payment": payment, "member_ref": Membership.objects.filter(user=member)
            .get().reference, "unplaced": unplaced, "visitor": visitor,
            "unsubscribe": unsubscribe_token(member.pk, 0),
            "email_confirm": email_change_token(member, "new.address@example.org")}


def _pages(who: str, scene: dict[str, Any], article: Any) -> list[str]:
    if who == "visitor":
        return ["/", "/join/", "/join/member/", "/join/registered_supporter/",
                "/join/affiliated_supporter/", "/branches/", "/branches/WF-CHN/",
                "/branches/find/?postcode=E4+0ZZ", "/articles/", article.get_absolute_url(),
                "/stats/", "/accounts/login/", "/accounts/password/reset/", "/privacy/",
                "/no-such-page/"]
    return {
        "member": ["/", "/me/", f"/me/address/?membership={scene['member_ref']}",
                   f"/me/dues/{scene['member_ref']}/",
                   f"/me/resign/?membership={scene['member_ref']}",
                   f"/me/name/?membership={scene['member_ref']}",
                   f"/me/rate/?membership={scene['member_ref']}",
                   f"/me/upgrade/?membership={scene['member_ref']}",
                   "/account/email/", f"/account/email/confirm/{scene['email_confirm']}/",
                   "/me/mail/", "/me/data/", f"/mail/unsubscribe/{scene['unsubscribe']}/",
                   "/accounts/password/change/", article.get_absolute_url(), "/me/vetting/"],
        "secretary": ["/officers/members/", f"/officers/members/{scene['member_ref']}/",
                      "/account/tokens/", "/officers/mail/", "/officers/mail/WF-CHN/",
                      "/officers/export/"],
        "staff": [f"/staff/payments/?q={scene['payment'].reference}", "/staff/placements/",
                  "/staff/payments/statements/",
                  "/officers/members/", "/articles/moderation/",
                  "/staff/vetting/", "/staff/vetting/appeals/", "/staff/vetting/exclusions/",
                  "/staff/vetting/unions/", "/staff/vetting/duplicates/",
                  "/staff/erasures/", "/staff/members/import/",
                  "/officers/export/", "/officers/members/?q=E4", "/accounts/2fa/",
                  "/accounts/2fa/recovery-codes/"],
        "moderator": ["/articles/moderation/", article.get_absolute_url()],
        "author": ["/articles/mine/", "/articles/write/"],
        "auditor": ["/officers/members/", f"/officers/members/{scene['member_ref']}/",
                    "/admin/", "/officers/access-log/", "/officers/access-log/?since=nonsense"],
    }[who]


def _serious(page: Any) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("who", ["visitor", "member", "secretary", "staff", "moderator",
                                 "author", "auditor"])
def test_the_main_pages_have_no_serious_accessibility_violation(browser, live_server, request,
                                                                scene, article, who):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    if who != "visitor":
        log_in(page, live_server, request.getfixturevalue(who))
    problems = {}
    statuses = {}
    for url in _pages(who, scene, article):
        statuses[url] = page.goto(live_server.url + url).status
        if found := _serious(page):
            problems[url] = found
    context.close()

    # Each page opened for its role (the checks ran on the page, not a refusal).
    assert {url: NOT_FOUND.get(url, 200) for url in statuses} == statuses
    assert {} == problems


def test_forms_with_errors_have_no_serious_accessibility_violation(browser, live_server, scene,
                                                                   article):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = {}

    page.goto(live_server.url + "/join/member/")
    page.get_by_role("button", name="Apply to join").click()
    problems["join"] = _serious(page)
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("button", name="Post comment").click()
    problems["comment"] = _serious(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Log in").click()
    problems["login"] = _serious(page)
    context.close()

    assert {"join": [], "comment": [], "login": []} == problems


def test_the_check_sees_a_serious_violation(page, live_server, db):
    """The check is real: an image without alternative text is reported."""
    page.goto(live_server.url + "/privacy/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<img src=\"/static/rankfile/none.png\">')")

    assert any(p.startswith("image-alt") for p in _serious(page))
