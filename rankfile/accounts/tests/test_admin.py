"""The admin: entered through roles and the site's login; roles and tokens through services."""

import datetime as dt

import pytest
from django.utils import timezone

from rankfile.accounts.models import ApiToken, Role
from rankfile.accounts.services import api_token_authenticate, api_token_create
from rankfile.demo.personas import PASSWORD, make_user, totp_code


def test_the_admin_login_sends_people_to_the_sites_login(client, db):
    first = client.get("/admin/membership/membership/")
    second = client.get(first.url)

    assert first.url.startswith("/admin/login/")
    assert "/accounts/login/?next=%2Fadmin%2Fmembership%2Fmembership%2F" == second.url


def test_the_admin_login_never_takes_a_password_itself(client, staff):
    r = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert 302 == r.status_code
    assert "_auth_user_id" not in client.session


def test_the_site_login_brings_staff_back_to_the_admin(client, staff):
    r = client.post("/accounts/login/?next=/admin/", {"login": staff.email,
                                                      "password": PASSWORD})
    assert "/accounts/2fa/authenticate/" == r.url  # staff log in with two-factor
    r = client.post(r.url, {"code": totp_code()})

    assert "/admin/" == r.url
    assert 200 == client.get("/admin/").status_code


@pytest.mark.parametrize("start", ["/admin/", "/accounts/login/"])
def test_thirty_wrong_passwords_lock_the_login_wherever_it_starts(client, staff, start):
    """The admin's login is the site's: 30 wrong passwords, then the right one, fail alike."""
    url = start
    while not url.startswith("/accounts/login/"):
        url = client.get(url).url

    for _ in range(30):
        client.post(url, {"login": staff.email, "password": "not the password"})
    r = client.post(url, {"login": staff.email, "password": PASSWORD})

    assert r.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_djangos_flags_grant_nothing_without_a_role(client, db, flags):
    client.force_login(make_user("flagged@example.org", **flags))

    r = client.get("/admin/")

    assert 403 == r.status_code
    assert "The admin is for membership staff and auditors" in r.content.decode()


def test_a_member_is_refused_the_admin_plainly(client, member):
    client.force_login(member)

    assert 403 == client.get("/admin/membership/membership/").status_code
    assert 403 == client.get("/admin/login/").status_code


def test_an_auditor_reads_but_is_offered_no_change(client, auditor):
    client.force_login(auditor)

    index = client.get("/admin/")
    add = client.get("/admin/accounts/role/add/")

    assert 200 == index.status_code
    assert "/admin/accounts/role/add/" not in index.content.decode()
    assert 403 == add.status_code


def test_staff_grant_a_role_through_the_service(client, staff, member, area):
    client.force_login(staff)

    r = client.post("/admin/accounts/role/add/", {
        "user": member.pk, "kind": "moderator", "body": area.branch.pk,
        "starts_on": timezone.localdate().isoformat(), "note": "Elected at the AGM"})

    role = Role.objects.get(user=member)
    assert 302 == r.status_code
    assert ("moderator", area.branch, staff) == (role.kind, role.body, role.granted_by)


def test_an_auditor_cannot_grant_a_role(client, auditor, member, area):
    client.force_login(auditor)

    r = client.post("/admin/accounts/role/add/", {
        "user": member.pk, "kind": "staff", "body": area.organisation.pk,
        "starts_on": timezone.localdate().isoformat()})

    assert 403 == r.status_code
    assert not Role.objects.filter(user=member).exists()


def test_ending_a_role_in_the_admin_kills_its_tokens(client, staff, secretary):
    _, raw = api_token_create(user=secretary, name="x")
    role = secretary.roles.get()
    client.force_login(staff)

    r = client.post(f"/admin/accounts/role/{role.pk}/change/", {
        "ends_on": timezone.localdate().isoformat(), "note": "Stood down"})

    role.refresh_from_db()
    assert 302 == r.status_code
    assert (timezone.localdate(), "Stood down") == (role.ends_on, role.note)
    assert api_token_authenticate(raw) is None


def test_deleting_a_role_in_the_admin_kills_its_tokens(client, staff, secretary):
    _, raw = api_token_create(user=secretary, name="x")
    client.force_login(staff)

    r = client.post(f"/admin/accounts/role/{secretary.roles.get().pk}/delete/", {"post": "yes"})

    assert 302 == r.status_code
    assert not secretary.roles.exists()
    assert api_token_authenticate(raw) is None


def test_a_role_ending_before_it_starts_is_refused_on_the_form(client, staff, secretary):
    role = secretary.roles.get()
    client.force_login(staff)

    r = client.post(f"/admin/accounts/role/{role.pk}/change/", {
        "ends_on": (role.starts_on - dt.timedelta(days=5)).isoformat(), "note": ""},
        follow=True)

    role.refresh_from_db()
    assert role.ends_on is None
    assert "A role cannot end before it starts" in r.content.decode()


def test_staff_revoke_a_token_with_the_action(client, staff, secretary):
    token, raw = api_token_create(user=secretary, name="x")
    client.force_login(staff)

    client.post("/admin/accounts/apitoken/", {"action": "revoke_tokens",
                                              "_selected_action": [token.pk]})

    assert api_token_authenticate(raw) is None


def test_an_auditor_cannot_revoke_a_token(client, auditor, secretary):
    token, raw = api_token_create(user=secretary, name="x")
    client.force_login(auditor)

    client.post("/admin/accounts/apitoken/", {"action": "revoke_tokens",
                                              "_selected_action": [token.pk]})

    assert ApiToken.objects.get().revoked_at is None
    assert api_token_authenticate(raw) is not None
