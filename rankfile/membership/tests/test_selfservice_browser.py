"""In a browser: a member changes their e-mail address (confirmed from the new one) and
a supporter becomes a member."""

from urllib.parse import urlsplit

import pytest

from rankfile.accounts.models import User
from rankfile.demo.personas import make_user
from rankfile.membership.models import Membership
from rankfile.membership.tests.factories import make_member_in
from rankfile.membership.tests.join_helpers import make_offers
from rankfile.outbox.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(phone, live_server, email):
    phone.goto(live_server.url + "/me/")
    phone.get_by_label("E-mail address").fill(email)
    phone.get_by_label("Password").fill("correct horse battery")
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_role("heading", name="My membership").wait_for()


def test_a_member_changes_their_email_confirmed_from_the_new_address(phone, live_server,
                                                                     area):
    make_member_in(area, make_user("mo@example.org"), first_name="Mo")
    _log_in(phone, live_server, "mo@example.org")

    phone.get_by_role("link", name="Change your e-mail address").click()
    phone.get_by_label("New e-mail address").fill("mo@new.example.org")
    phone.get_by_role("button", name="Send the link").click()

    status = phone.get_by_role("status").first.inner_text()
    assert "We have sent a link to mo@new.example.org" in status
    assert "mo@example.org" == User.objects.get().email  # the old one until confirmed

    body = OutboxMessage.objects.get(to="mo@new.example.org").body
    link = next(line for line in body.splitlines() if "/account/email/confirm/" in line)
    phone.goto(live_server.url + urlsplit(link.strip()).path)
    phone.get_by_role("button", name="Confirm my new address").click()

    assert "Your e-mail address is now mo@new.example.org" in phone.get_by_role(
        "status").first.inner_text()
    assert "mo@new.example.org" == User.objects.get().email

    phone.context.clear_cookies()
    _log_in(phone, live_server, "mo@new.example.org")
    assert "Logged in as mo@new.example.org" in phone.content()


def test_a_supporter_becomes_a_member_and_is_shown_what_to_pay(phone, live_server, area):
    offers = make_offers()
    supporter = make_member_in(area, make_user("sol@example.org"), category=offers.supporter,
                               first_name="Sol")
    _log_in(phone, live_server, "sol@example.org")

    phone.get_by_role("link", name="Become a member").click()
    phone.get_by_label("Reduced").check()
    phone.get_by_label("I have read the privacy notice and agree to it").check()
    phone.get_by_role("button", name="Apply to become a member").click()

    assert "Pay your first dues to make it active" in phone.get_by_role(
        "status").first.inner_text()
    member = Membership.objects.get(user=supporter.user, category=offers.member)
    assert member.reference in phone.content()
    assert phone.get_by_role("heading", name="Pay your fee").is_visible()
