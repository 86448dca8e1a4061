"""In a browser: a voter casts a ballot by keyboard alone and sees the tracker; after the
close it is on the bulletin and the result is published. axe-core checks each page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from rankfile.elections.models import Ballot
from rankfile.elections.services.count import election_count, election_publish
from rankfile.elections.services.setup import election_close
from rankfile.elections.tests.helpers import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SERIOUS = {"serious", "critical"}
AXE = Axe()


def serious(page):
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in AXE.run(page).response["violations"]
            if v["impact"] in SERIOUS]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_a_voter_casts_by_keyboard_and_finds_their_tracker_on_the_bulletin(
        page, live_server, open_election, returning_officer, member):
    code = code_for(open_election, member)
    page.set_default_timeout(20_000)
    problems = {}
    page.goto(f"{live_server.url}/elections/{open_election.slug}/vote/")
    problems["ballot"] = serious(page)

    # Keyboard only: Tab from the code into each number box, Enter to submit.
    page.get_by_label("Your voting code").focus()
    page.keyboard.type(code.lower())
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("two candidates have the same number")
    problems["ballot with errors"] = serious(page)
    page.get_by_label("Bea Baker", exact=True).fill("")
    page.get_by_label("Bea Baker", exact=True).focus()
    page.keyboard.type("1")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Check your ballot")).to_be_visible()
    expect(page.locator("#choices li")).to_have_text(["Bea Baker", "Ann Archer"])
    problems["review"] = serious(page)
    page.get_by_role("button", name="Cast my ballot").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your ballot is cast")).to_be_visible()
    tracker = page.locator("#tracker").inner_text()
    problems["receipt"] = serious(page)
    assert [tracker] == list(Ballot.objects.values_list("tracker", flat=True))

    election_close(by=returning_officer, election=open_election)
    election_publish(by=returning_officer,
                     election=election_count(by=returning_officer, election=open_election))
    page.goto(f"{live_server.url}/elections/{open_election.slug}/results/")
    expect(page.get_by_text("Elected: Bea Baker")).to_be_visible()
    problems["results"] = serious(page)
    bulletin = page.request.get(
        f"{live_server.url}/api/elections/{open_election.slug}/bulletin.csv").text()

    assert tracker in bulletin
    assert {"ballot": [], "ballot with errors": [], "review": [], "receipt": [],
            "results": []} == problems


def test_the_officers_and_voters_pages_have_no_serious_violation(page, live_server,
                                                                 open_election,
                                                                 returning_officer, member):
    page.set_default_timeout(20_000)
    problems = {}
    log_in(page, live_server, member)
    for url in ("/elections/", f"/elections/{open_election.slug}/",
                f"/elections/{open_election.slug}/can-i-vote/",
                f"/elections/{open_election.slug}/vote/"):
        page.goto(live_server.url + url)
        problems[url] = serious(page)
    log_in(page, live_server, returning_officer)
    page.goto(f"{live_server.url}/elections/{open_election.slug}/manage/")
    problems["manage"] = serious(page)

    assert all(found == [] for found in problems.values()), problems
