"""Vetting in headless Chromium: staff walk the queue (approve, reject with a reason),
the rejected person reads the reason and appeals, and a duplicate pair is merged.
Each page is checked with axe on the way."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe

from rankfile.front.tests.conftest import log_in
from rankfile.membership.models import Membership
from rankfile.vetting import services
from rankfile.vetting.models import Appeal, Decision, DuplicatePair
from rankfile.vetting.tests.helpers import applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found
            if v["impact"] in ("serious", "critical")]


def test_staff_walk_the_queue_and_the_rejected_person_appeals(phone, live_server, area, staff):
    good = applicant(area, first_name="Grace", last_name="Good")
    bad = applicant(area, first_name="Rory", last_name="Rival", email="rory@example.org")
    log_in(phone, live_server, staff)
    phone.goto(live_server.url + "/staff/vetting/")
    assert [] == serious(phone)

    phone.get_by_role("link", name=good.reference).click()
    phone.get_by_role("heading", name=f"{good.reference}: Grace Good").wait_for()
    assert [] == serious(phone)
    phone.get_by_label("Approved").check()
    phone.get_by_role("button", name="Record the decision").click()
    phone.get_by_text(f"Application {good.reference} approved.").wait_for()

    phone.get_by_role("link", name=bad.reference).click()
    phone.get_by_label("Rejected").check()
    phone.get_by_label("Reason for a rejection").select_option("other_party")
    phone.get_by_label("Internal note (optional)").fill("Council candidate, May 2016")
    phone.get_by_role("button", name="Record the decision").click()
    phone.get_by_text(f"Application {bad.reference} rejected.").wait_for()
    assert ["approved", "rejected"] == [
        Membership.objects.get(pk=m.pk).vetting for m in (good, bad)]

    log_in(phone, live_server, bad.user)
    phone.goto(live_server.url + "/me/")
    phone.get_by_role("link", name="Why, and how to appeal").click()
    phone.get_by_role("heading", name="Your application").wait_for()
    main = phone.locator("main").inner_text()
    assert "members or candidates of other political parties" in main
    assert "Council candidate" not in main
    assert [] == serious(phone)
    phone.get_by_label("Why should we look again?").fill("I left that party in 2014.")
    phone.get_by_role("button", name="Send my appeal").click()
    phone.get_by_text("Your appeal is sent.").wait_for()
    assert "I left that party in 2014." == Appeal.objects.get().statement


def test_staff_merge_a_duplicate_pair(phone, live_server, area, staff):
    first = applicant(area, first_name="Ada", last_name="Lovelace", dob=dt.date(1975, 3, 4))
    second = applicant(area, first_name="LOVELACE", last_name="Ada", dob=dt.date(1975, 3, 4))
    services.vetting_check(by=staff)
    log_in(phone, live_server, staff)

    phone.goto(live_server.url + "/staff/vetting/duplicates/")
    assert [] == serious(phone)
    phone.get_by_role("link", name=f"{first.reference} (Ada Lovelace)").click()
    phone.get_by_role("heading", name=f"Compare {first.reference} and {second.reference}"
                      ).wait_for()
    assert [] == serious(phone)
    phone.get_by_label(f"{first.reference} (Ada Lovelace").check()
    phone.get_by_role("button", name="Merge", exact=True).click()
    phone.get_by_text(f"Merged: {first.reference} is kept").wait_for()

    second.refresh_from_db()
    assert DuplicatePair.Status.MERGED == DuplicatePair.objects.get().status
    assert Membership.Status.RESIGNED == second.status
    assert Decision.objects.filter(membership=second, reason_code="duplicate").exists()
    assert Membership.Status.APPLIED == Membership.objects.get(pk=first.pk).status
