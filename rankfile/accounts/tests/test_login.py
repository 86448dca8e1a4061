import re

import pytest
from django.core import mail

from rankfile.core.tests.jobs import run_jobs
from rankfile.demo.personas import make_user


@pytest.fixture
def alice(db):
    # A member with a login; the password is the persona default.
    return make_user("alice@example.org")


def test_it_shows_the_login_page_in_our_layout(client, db):
    r = client.get("/accounts/login/")

    body = r.content.decode()
    assert 200 == r.status_code
    assert '<a class="skip" href="#main">' in body
    assert '<label for="id_login">' in body
    assert "sign up" not in body.lower()


def test_it_logs_a_member_in_and_sends_them_to_their_page(client, alice):
    r = client.post("/accounts/login/", {"login": "alice@example.org",
                                         "password": "correct horse battery"})

    assert 302 == r.status_code
    assert "/me/" == r.url
    assert alice.pk == int(client.session["_auth_user_id"])


def test_it_shows_a_wrong_password_summarised_at_the_top(client, alice):
    r = client.post("/accounts/login/", {"login": "alice@example.org", "password": "nope"})

    body = r.content.decode()
    assert 200 == r.status_code
    assert 'class="error-summary"' in body
    assert "not correct" in body
    assert "_auth_user_id" not in client.session


def test_it_logs_out_with_a_post(client, alice):
    client.force_login(alice)

    r = client.post("/accounts/logout/")

    assert 302 == r.status_code
    assert "_auth_user_id" not in client.session


def test_it_asks_before_logging_out_on_a_get(client, alice):
    client.force_login(alice)

    r = client.get("/accounts/logout/")

    assert 200 == r.status_code
    assert "_auth_user_id" in client.session
    assert "Do you want to log out" in r.content.decode()


def test_it_refuses_open_sign_up(client, db):
    r = client.get("/accounts/signup/")

    assert "Join to get an account" in r.content.decode()


def test_it_mails_a_password_reset_link_that_works(client, alice):
    r = client.post("/accounts/password/reset/", {"email": "ALICE@example.org"})
    run_jobs()

    assert 302 == r.status_code
    assert 1 == len(mail.outbox)
    assert ["alice@example.org"] == mail.outbox[0].to
    found = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body))
    assert found is not None
    link = found[1]

    r = client.get(link, follow=True)
    form_url = r.redirect_chain[-1][0] if r.redirect_chain else link
    assert "Choose a new password" in r.content.decode()

    r = client.post(form_url, {"password1": "a brand new secret 42",
                               "password2": "a brand new secret 42"})
    alice.refresh_from_db()
    assert 302 == r.status_code
    assert alice.check_password("a brand new secret 42")


def test_it_says_a_used_reset_link_has_expired(client, alice):
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    run_jobs()
    found = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body))
    assert found is not None
    link = found[1]
    alice.set_password("changed elsewhere 99")
    alice.save()

    r = client.get(link, follow=True)

    assert "This link has expired" in r.content.decode()
