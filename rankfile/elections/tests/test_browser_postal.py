"""In a browser: two staff key one paper ballot (each behind two-factor), and it goes into
the box; a paper keyed differently is held for a third. The elections list on a phone,
for a visitor. axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from rankfile.demo.personas import give_role, give_two_factor, make_user
from rankfile.elections.models import Ballot, PostalKeying
from rankfile.elections.services.roll import current_roll
from rankfile.elections.tests.test_browser_vote import log_in, serious
from rankfile.membership.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def key(page, reference, numbers):
    page.get_by_label("Membership reference on the paper").fill(reference)
    for name, number in numbers.items():
        page.get_by_label(name, exact=True).fill(number)
    page.get_by_role("button", name="Key this paper").click()


def test_two_staff_key_a_paper_and_it_goes_into_the_box(page, live_server, open_election,
                                                        returning_officer, staff, member,
                                                        supporter, area):
    page.set_default_timeout(20_000)
    url = f"{live_server.url}/elections/{open_election.slug}/manage/postal/"
    mine = Membership.objects.get(user=member).reference
    theirs = Membership.objects.get(user=supporter).reference
    problems = {}

    log_in(page, live_server, returning_officer)
    page.goto(f"{live_server.url}/elections/{open_election.slug}/")
    page.get_by_role("link", name="Key postal ballots").click()
    expect(page.get_by_role("heading", name="Postal ballots")).to_be_visible()
    problems["postal"] = serious(page)
    key(page, mine, {"Ann Archer": "2", "Bea Baker": "1"})
    expect(page.get_by_role("status")).to_contain_text("keyed once")
    key(page, theirs, {"Ann Archer": "1"})
    # The same person again: refused, where the eye is.
    key(page, mine, {"Ann Archer": "2", "Bea Baker": "1"})
    expect(page.get_by_role("alert")).to_contain_text("a different person keys it next")
    problems["postal with errors"] = serious(page)

    log_in(page, live_server, staff)
    page.goto(url)
    expect(page.get_by_role("region", name="Papers waiting")).to_contain_text(mine)
    key(page, mine.lower(), {"Ann Archer": "2", "Bea Baker": "1"})
    expect(page.get_by_role("status")).to_contain_text("in the ballot box")
    key(page, theirs, {"Cal Cooper": "1"})
    expect(page.get_by_role("status")).to_contain_text("held")

    third = make_user("third@example.org", first_name="Thea", last_name="Third")
    give_role(third, "staff", area.organisation)
    give_two_factor(third)
    log_in(page, live_server, third)
    page.goto(url)
    expect(page.get_by_role("region", name="Papers waiting")).to_contain_text("a third person")
    key(page, theirs, {"Ann Archer": "1"})
    expect(page.get_by_role("status")).to_contain_text("in the ballot box")

    rankings = sorted(Ballot.objects.values_list("ranking", flat=True))
    a, b, _ = open_election.candidates.order_by("position").values_list("pk", flat=True)
    assert sorted([[b, a], [a]]) == rankings
    assert not PostalKeying.objects.exists()
    assert 2 == current_roll(open_election).filter(voted_on__isnull=False).count()
    assert {"postal": [], "postal with errors": []} == problems


def test_a_visitor_finds_the_elections_on_a_phone(phone, live_server, open_election):
    phone.goto(live_server.url + "/")

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Elections").click()

    expect(phone.get_by_role("heading", name="Elections")).to_be_visible()
    expect(phone.get_by_role("link", name=open_election.title)).to_be_visible()
    assert 360 >= phone.evaluate("document.documentElement.scrollWidth")
    assert [] == serious(phone)
