"""GET /api/members/{reference}: staff and branch officers with a token, within their roles."""

from __future__ import annotations

import pytest

from rankfile.accounts.models import User
from rankfile.accounts.services import api_token_create, api_token_revoke
from rankfile.membership.tests.factories import make_member_in


@pytest.fixture
def chingford_member(area):
    return make_member_in(area, User.objects.create_user("ada@example.org"))


@pytest.fixture
def highams_member(area):
    return make_member_in(area, User.objects.create_user("bob@example.org"), other=True)


def bearer(user) -> dict[str, str]:
    _, raw = api_token_create(user=user, name="script")
    return {"Authorization": f"Bearer {raw}"}


def test_it_shows_staff_any_member(client, staff, chingford_member, highams_member):
    response = client.get(f"/api/members/{highams_member.reference}", headers=bearer(staff))

    assert 200 == response.status_code
    body = response.json()
    assert highams_member.reference == body["reference"]
    assert "bob@example.org" == body["email"]
    assert "WF-HPH" == body["branch"]["code"]


def test_it_shows_a_secretary_their_branch_s_member(client, secretary, chingford_member):
    response = client.get(f"/api/members/{chingford_member.reference}",
                          headers=bearer(secretary))

    assert 200 == response.status_code
    assert "active" == response.json()["status"]


def test_it_answers_another_branch_s_member_as_a_reference_that_does_not_exist(
        client, secretary, highams_member):
    headers = bearer(secretary)

    outside = client.get(f"/api/members/{highams_member.reference}", headers=headers)
    unknown = client.get("/api/members/RF-NOPE0000", headers=headers)

    assert 404 == outside.status_code == unknown.status_code
    assert unknown.content == outside.content
    assert "unknown_membership" == outside.json()["error"]["code"]


def test_it_reads_only_what_the_tokens_role_reads(client, secretary, area, highams_member):
    from rankfile.accounts.services import api_token_create
    from rankfile.demo.personas import give_role

    as_auditor = give_role(secretary, "auditor", area.organisation)
    _, branch_raw = api_token_create(user=secretary, name="branch",
                                     role=secretary.roles.get(kind="secretary"))
    _, audit_raw = api_token_create(user=secretary, name="audit", role=as_auditor)
    url = f"/api/members/{highams_member.reference}"

    branch = client.get(url, headers={"Authorization": f"Bearer {branch_raw}"})
    audit = client.get(url, headers={"Authorization": f"Bearer {audit_raw}"})

    assert (404, 200) == (branch.status_code, audit.status_code)


def test_it_answers_404_for_an_unknown_reference(client, staff):
    response = client.get("/api/members/RF-NOSUCH", headers=bearer(staff))

    assert 404 == response.status_code
    assert "unknown_membership" == response.json()["error"]["code"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer rf_wrong"}, {"Authorization": "Basic abc"},
     {"Authorization": "Bearer "}],
)
def test_it_refuses_a_call_without_a_valid_token(client, chingford_member, headers):
    response = client.get(f"/api/members/{chingford_member.reference}", headers=headers)

    assert 401 == response.status_code
    assert "unauthenticated" == response.json()["error"]["code"]
    assert "Bearer" == response["WWW-Authenticate"]


def test_it_refuses_a_revoked_token(client, staff, chingford_member):
    token, raw = api_token_create(user=staff, name="old script")
    api_token_revoke(token=token, by=staff)

    response = client.get(f"/api/members/{chingford_member.reference}",
                          headers={"Authorization": f"Bearer {raw}"})

    assert 401 == response.status_code


def test_it_ignores_a_session_without_a_token(client, staff, chingford_member):
    client.force_login(staff)

    response = client.get(f"/api/members/{chingford_member.reference}")

    assert 401 == response.status_code
