"""The login library's pages and e-mails, as the rest of the site: its layout, its
name, "e-mail", and one link for a forgotten password."""

import re

import pytest

from rankfile.core.tests.jobs import run_jobs
from rankfile.demo.personas import make_user

ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/password/reset/",
                   "/accounts/password/reset/done/", "/accounts/password/reset/key/1-x/",
                   "/accounts/password/reset/key/done/", "/accounts/signup/",
                   "/accounts/inactive/", "/accounts/confirm-email/"]
USER_PAGES = ["/accounts/password/change/", "/accounts/logout/"]


def visible_text(page: str) -> str:
    body = page.split("<body>")[1]
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S))


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_its_pages_are_in_the_sites_layout_and_say_e_mail(client, db, settings, url):
    settings.ORGANISATION_NAME = "Test Party"

    page = client.get(url, follow=True).content.decode()

    assert 'aria-label="Main"' in page and "— Test Party</title>" in page
    assert not re.search(r"(?i)\bemail\b", visible_text(page)), url


@pytest.mark.parametrize("url", USER_PAGES)
def test_its_pages_for_a_logged_in_person_are_in_the_layout(client, outsider, url):
    client.force_login(outsider)

    page = client.get(url).content.decode()

    assert 'aria-label="Main"' in page
    assert not re.search(r"\bEmail\b", visible_text(page))


@pytest.mark.parametrize("url, person", [("/accounts/login/", False),
                                         ("/accounts/password/change/", True)])
def test_it_offers_one_forgotten_password_link(client, outsider, url, person):
    if person:
        client.force_login(outsider)

    page = client.get(url).content.decode()

    assert 1 == page.count('href="/accounts/password/reset/"')


def test_the_login_form_names_what_is_missing(client, db):
    page = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()

    assert "Enter your e-mail address." in page and "Enter your password." in page
    assert "This field is required." not in page
    assert "placeholder" not in page.split("<main")[1]


def test_its_e_mails_name_the_organisation_not_the_host(client, db, settings, mailoutbox):
    settings.ORGANISATION_NAME = "Test Party"
    settings.SITE_URL = "https://members.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "members.example.org"]
    make_user("ada@example.org")

    client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    run_jobs()  # the reset is mailed by a job, through the outbox

    (mail,) = mailoutbox
    assert "Test Party: choose a new password" == mail.subject
    assert mail.body.startswith("Hello from Test Party,")
    assert "https://members.example.org/accounts/password/reset/key/" in mail.body
    assert "testserver" not in mail.subject + mail.body.split("\n")[0]
    assert "[" not in mail.subject
    assert "email" not in mail.body.lower().replace("e-mail", "")
