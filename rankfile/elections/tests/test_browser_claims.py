"""In a browser: a member off the roll lodges a claim from "Can I vote?"; the returning
officer cannot freeze the roll while it is open, upholds it, and then freezes. axe-core
checks each page, the claims and the voting codes' pages among them."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rankfile.elections.models import RollEntry
from rankfile.elections.services.roll import roll_evaluate, roll_rules_set
from rankfile.elections.tests.helpers import rules_for
from rankfile.elections.tests.test_browser_vote import log_in, serious
from rankfile.membership.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_claim_is_lodged_upheld_and_the_roll_frozen_only_after(page, live_server, election,
                                                                  returning_officer, member,
                                                                  supporter):
    Membership.objects.filter(user=member).update(
        joined_on=timezone.localdate() + dt.timedelta(days=1))
    roll_rules_set(by=returning_officer, election=election, rules=rules_for())
    roll_evaluate(by=returning_officer, election=election)
    page.set_default_timeout(20_000)
    problems = {}
    base = f"{live_server.url}/elections/{election.slug}"

    log_in(page, live_server, member)
    page.goto(f"{base}/can-i-vote/")
    expect(page.get_by_text("You joined on")).to_be_visible()
    problems["can i vote"] = serious(page)
    page.get_by_role("button", name="Lodge my claim").click()
    expect(page.get_by_role("alert")).to_contain_text("Write why your entry is wrong.")
    problems["claim with errors"] = serious(page)
    page.get_by_label("Why your entry is wrong").focus()
    page.keyboard.type("I paid on the freeze date; the bank took a day.")
    page.get_by_role("button", name="Lodge my claim").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your claim is lodged")
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()

    log_in(page, live_server, supporter)  # on the roll: may object to an entry
    page.goto(f"{base}/can-i-vote/")
    expect(page.get_by_role("button", name="Lodge my objection")).to_be_visible()
    problems["can i vote, on the roll"] = serious(page)

    log_in(page, live_server, returning_officer)
    page.goto(f"{base}/manage/")
    page.get_by_role("button", name="Freeze the roll").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The roll cannot be frozen while 1 claim, 0 objections and 0 vetting appeals are open")
    problems["manage"] = serious(page)
    page.get_by_role("link", name="Claims and objections (1 open)").click()
    expect(page.get_by_text("I paid on the freeze date")).to_be_visible()
    problems["claims"] = serious(page)
    page.get_by_label("Uphold: change the entry").check()
    page.get_by_label("Reason", exact=True).fill("The bank statement shows the payment on time.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("The decision is recorded")
    problems["claims decided"] = serious(page)

    page.goto(f"{base}/manage/")
    page.get_by_role("button", name="Freeze the roll").click()
    expect(page.get_by_role("status")).to_contain_text("The roll is frozen.")
    page.goto(f"{base}/manage/credentials/")
    expect(page.get_by_role("heading", name="Voting codes")).to_be_visible()
    problems["codes"] = serious(page)

    assert RollEntry.objects.get(user=member).eligible
    assert election.rule_sets.get().frozen_at is not None
    assert all(found == [] for found in problems.values()), problems
