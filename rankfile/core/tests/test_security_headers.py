"""Every answer carries a content security policy without 'unsafe-inline' and a
Permissions-Policy; every answer to a logged-in person or a bearer token is
``Cache-Control: no-store``; allauth's and the admin's login, sign-up and
password reset forms are rate-limited at the edge, a refused attempt writing nothing."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django_tasks_db.models import DBTaskResult

from rankfile.accounts.models import User

PUBLIC = ["/", "/articles/", "/branches/", "/stats/", "/join/", "/accounts/login/"]
PERSONAL = ["/me/", "/account/tokens/", "/accounts/email/", "/accounts/password/change/", "/"]


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", PUBLIC)
def test_pages_carry_a_strict_csp_and_a_permissions_policy(client, area, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert 200 == response.status_code
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("url", PUBLIC[:-1])
def test_a_visitor_s_public_page_may_be_cached(client, area, url):
    assert not _no_store(client.get(url))


@pytest.mark.parametrize("url", PERSONAL)
def test_every_page_for_a_logged_in_person_is_no_store(client, member, url):
    client.force_login(member)

    response = client.get(url)

    assert 200 == response.status_code, url
    assert _no_store(response), url
    assert "public" not in response["Cache-Control"]


def test_a_logged_in_person_s_redirect_and_error_pages_are_no_store(client, member):
    client.force_login(member)

    assert _no_store(client.get("/articles/no-such-article/"))
    assert _no_store(client.get("/admin/"))


def test_the_api_s_answer_to_a_token_is_no_store_and_its_public_counter_is_not(
        client, staff, area):
    from rankfile.accounts.services import api_token_create

    _, raw = api_token_create(user=staff, name="t")

    personal = client.get("/api/members/RF-000000", headers={"Authorization": f"Bearer {raw}"})
    public = client.get("/api/stats")

    assert _no_store(personal)
    assert not _no_store(public)
    assert "public" in public["Cache-Control"]


def test_the_stats_chart_places_its_labels_with_a_nonced_style(client, area):
    response = client.get("/stats/")

    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert 'style="' not in response.content.decode()


def test_the_admin_login_is_rate_limited_at_the_edge(client, db):
    for _ in range(30):
        assert 302 == client.post("/admin/login/", {"username": "a", "password": "b"}
                                  ).status_code

    response = client.post("/admin/login/", {"username": "a", "password": "b"})

    assert 429 == response.status_code
    assert "Too many attempts" in response.content.decode()


def test_the_site_login_refuses_past_its_limit_without_logging_in(client, member):
    member.set_password("a-long-Password-1")
    member.save()
    for n in range(30):
        client.post("/accounts/login/", {"login": f"nobody{n}@example.org", "password": "x"})
    before = (Session.objects.count(), User.objects.get(pk=member.pk).last_login)

    response = client.post("/accounts/login/", {"login": member.email,
                                                "password": "a-long-Password-1"})

    assert 429 == response.status_code
    assert before == (Session.objects.count(), User.objects.get(pk=member.pk).last_login)


def test_a_refused_password_reset_queues_nothing(client, db):
    for n in range(10):
        client.post("/accounts/password/reset/", {"email": f"p{n}@example.org"})
    before = DBTaskResult.objects.count()

    response = client.post("/accounts/password/reset/", {"email": "late@example.org"})

    assert 429 == response.status_code
    assert before == DBTaskResult.objects.count()
