"""/accounts/email/: only a verified address becomes primary; another account's address
answers as any other address, and never a 500."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from rankfile.accounts.models import User
from rankfile.core.tests.jobs import run_jobs
from rankfile.demo.personas import make_user


@pytest.fixture
def ada(db, client) -> User:
    user = make_user("ada@example.org")
    client.force_login(user)
    client.get("/accounts/email/")  # allauth lists her login address
    return user


def add(client: Client, email: str) -> tuple[int, list[tuple[str, int]], list[str]]:
    """The answer to adding ``email``: status, redirects and the page's messages."""
    response = client.post("/accounts/email/", {"action_add": "", "email": email}, follow=True)
    page = response.content.decode().replace(email, "ADDRESS")
    return (response.status_code, response.redirect_chain,
            re.findall(r'<li class="message[^"]*">(.*?)</li>', page))


def make_primary(client: Client, email: str) -> str:
    response = client.post("/accounts/email/", {"action_primary": "", "email": email},
                           follow=True)
    assert 200 == response.status_code
    assert [("/accounts/email/", 302)] == response.redirect_chain
    return response.content.decode()


def test_it_refuses_to_make_an_unverified_address_primary(client, ada):
    add(client, "new@example.org")

    page = make_primary(client, "new@example.org")

    assert "Confirm new@example.org before making it your primary address" in page
    ada.refresh_from_db()
    assert "ada@example.org" == ada.email
    assert not EmailAddress.objects.get(user=ada, email="new@example.org").primary


def test_another_accounts_address_is_added_as_any_new_address(client, ada):
    make_user("bea@example.org")

    taken = add(client, "bea@example.org")
    free = add(client, "new@example.org")

    assert taken == free
    assert [200, [("/accounts/email/", 302)]] == list(free[:2]) and free[2]
    assert {("bea@example.org", False), ("new@example.org", False)} == set(
        EmailAddress.objects.filter(user=ada).exclude(email=ada.email).values_list(
            "email", "verified"))
    run_jobs()
    # Each gets the same verification e-mail, which only the address's owner can use.
    assert [["bea@example.org"], ["new@example.org"]] == sorted(m.to for m in mail.outbox)


def test_it_refuses_to_squat_another_accounts_address(client, ada):
    bea = make_user("bea@example.org")
    add(client, "bea@example.org")

    page = make_primary(client, "bea@example.org")

    assert "Confirm bea@example.org before making it your primary address" in page
    ada.refresh_from_db()
    bea.refresh_from_db()
    assert ("ada@example.org", "bea@example.org") == (ada.email, bea.email)


def test_the_owner_who_verified_another_accounts_address_gets_a_form_error(client, ada):
    # Only bea can verify her address; if she does so on ada's account, it still
    # cannot become ada's login: a message on the page, not a 500.
    make_user("bea@example.org")
    add(client, "bea@example.org")
    EmailAddress.objects.filter(user=ada, email="bea@example.org").update(verified=True)

    page = make_primary(client, "bea@example.org")

    assert "bea@example.org is the login of another account" in page
    ada.refresh_from_db()
    assert "ada@example.org" == ada.email


def test_it_makes_a_verified_address_primary(client, ada):
    add(client, "new@example.org")
    EmailAddress.objects.filter(user=ada, email="new@example.org").update(verified=True)

    page = make_primary(client, "new@example.org")

    assert "new@example.org is now your primary e-mail address" in page
    ada.refresh_from_db()
    assert "new@example.org" == ada.email
    assert EmailAddress.objects.get(user=ada, email="new@example.org").primary


def test_an_address_not_on_the_account_changes_nothing(client, ada):
    make_user("bea@example.org")

    page = make_primary(client, "bea@example.org")

    assert "Choose one of the addresses listed on this page" in page
    ada.refresh_from_db()
    assert "ada@example.org" == ada.email
