"""In a browser: a member nominates, the nominee accepts with a statement, the returning
officer confirms the validated list, and the public list shows it. axe-core checks each
page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rankfile.elections.services.nominations import nomination_rules_set
from rankfile.elections.services.setup import election_create
from rankfile.elections.tests.helpers import SECTIONS
from rankfile.elections.tests.nomination_helpers import make_people, ref
from rankfile.elections.tests.test_browser_vote import log_in, serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nomination_goes_from_a_member_to_the_published_list(page, live_server, area,
                                                               returning_officer, _clock):
    nominator, nominee = make_people(area, 2)
    election = election_create(by=returning_officer, body=area.organisation, slug="chair",
                               title="Chair of the party", seats=1, sections=SECTIONS)
    now = timezone.now()
    nomination_rules_set(by=returning_officer, election=election,
                         opens_at=now - dt.timedelta(hours=1),
                         closes_at=now + dt.timedelta(days=7), members_number=1)
    page.set_default_timeout(20_000)
    problems = {}

    log_in(page, live_server, nominator)
    page.goto(f"{live_server.url}/elections/chair/nominations/")
    problems["public, open"] = serious(page)
    page.get_by_role("link", name="Nominate a candidate").click()
    page.get_by_label("Their membership reference").fill("RF-NOBODY1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("No member of Test Party")
    problems["nominate with errors"] = serious(page)
    page.get_by_label("Their membership reference").fill(ref(nominee))
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_text("You nominated First1 Surname1.")).to_be_visible()
    problems["nominate"] = serious(page)

    # The desk while nominations are open: the rules and a decision refused at its field.
    log_in(page, live_server, returning_officer)
    page.goto(f"{live_server.url}/elections/chair/manage/nominations/")
    problems["desk, open"] = serious(page)
    page.get_by_role("radio", name="Branch").check()
    page.get_by_label("Which branch").select_option(label="Chingford")
    page.get_by_label("Nominee").select_option(label="First1 Surname1")
    page.get_by_label("Date of the decision").fill(timezone.localdate().isoformat())
    page.get_by_label("Votes for").fill("2")
    page.get_by_label("Votes against").fill("5")
    page.get_by_role("button", name="Enter the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("did not carry")
    problems["desk, decision with errors"] = serious(page)

    log_in(page, live_server, nominee)
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="Your nominations in elections").click()
    page.get_by_role("link", name="Chair of the party").click()
    page.get_by_label("Yes, I accept and stand as a candidate").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your statement")
    problems["consent with errors"] = serious(page)
    page.get_by_label("Your statement").fill("A party run by its members.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You accept the nomination; your statement is saved.")
    problems["consent"] = serious(page)

    assert election.nominations_close_at is not None
    _clock.move_to(election.nominations_close_at + dt.timedelta(hours=1))
    log_in(page, live_server, returning_officer)
    page.goto(f"{live_server.url}/elections/chair/manage/")
    page.get_by_role("link", name="The nominations desk").click()
    expect(page.get_by_role("cell", name="Threshold met: 1 member of 1 needed.")).to_be_visible()
    problems["desk"] = serious(page)
    page.get_by_role("button", name="Confirm the validated list").click()
    expect(page.get_by_text("The validated list is confirmed")).to_be_visible()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/elections/chair/nominations/")
    expect(page.get_by_role("heading", name="First1 Surname1")).to_be_visible()
    expect(page.get_by_text("A party run by its members.")).to_be_visible()
    expect(page.get_by_text("1 member", exact=True)).to_be_visible()
    problems["public, validated"] = serious(page)

    assert all(found == [] for found in problems.values()), problems
