"""Officers reach their pages and the admin only with two-factor set up and used."""

import pytest
from allauth.mfa.models import Authenticator

from rankfile.accounts.two_factor import SESSION_KEY
from rankfile.demo.personas import PASSWORD, give_role, make_user, totp_code

GUARDED = ["/officers/members/", "/staff/payments/", "/admin/", "/account/tokens/",
           "/officers/access-log/"]


@pytest.fixture
def new_officer(area):
    """National staff who have not set up two-factor yet."""
    user = make_user("new.officer@example.org")
    give_role(user, "staff", area.organisation)
    return user


def _forget_second_factor(client):
    session = client.session
    del session[SESSION_KEY]
    session.save()


@pytest.mark.parametrize("url", GUARDED)
def test_it_sends_an_officer_without_two_factor_to_set_it_up(client, new_officer, url):
    client.force_login(new_officer)

    r = client.get(url)
    page = client.get(r.url, follow=True)  # past "confirm your password" (force_login)

    assert "/accounts/2fa/totp/activate/" == r.url
    assert "Officers need two-factor authentication to reach this page" in page.content.decode()


def test_it_sends_a_secretary_without_two_factor_to_set_it_up(client, area):
    secretary = make_user("new.secretary@example.org")
    give_role(secretary, "secretary", area.branch)
    client.force_login(secretary)

    assert "/accounts/2fa/totp/activate/" == client.get("/officers/members/").url


def test_it_asks_for_the_code_when_this_session_has_not_used_it(client, staff):
    client.force_login(staff)
    _forget_second_factor(client)

    r = client.get("/officers/members/?q=ada")
    confirmed = client.post(r.url, {"code": totp_code()})

    assert r.url.startswith("/accounts/2fa/reauthenticate/")
    assert "next=%2Fofficers%2Fmembers%2F%3Fq%3Dada" in r.url
    assert "/officers/members/?q=ada" == confirmed.url
    assert 200 == client.get("/officers/members/").status_code


def test_it_refuses_a_wrong_code(client, staff):
    client.force_login(staff)
    _forget_second_factor(client)

    wrong = client.post("/accounts/2fa/reauthenticate/?next=/admin/",
                        {"code": totp_code(step=5)})

    assert 200 == wrong.status_code
    assert client.get("/admin/").url.startswith("/accounts/2fa/reauthenticate/")


def test_it_lets_people_without_an_officers_role_be_refused_by_the_page(client, member):
    client.force_login(member)
    _forget_second_factor(client)

    assert 403 == client.get("/officers/members/").status_code
    assert 200 == client.get("/me/").status_code


def test_it_asks_an_officer_for_the_code_at_login_and_then_lets_them_in(client, staff):
    r = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert "/accounts/2fa/authenticate/" == r.url
    assert "_auth_user_id" not in client.session  # not logged in before the code

    wrong = client.post(r.url, {"code": "000000" if totp_code() != "000000" else "111111"})
    assert 200 == wrong.status_code and "_auth_user_id" not in client.session
    right = client.post(r.url, {"code": totp_code()})

    assert 302 == right.status_code
    assert 200 == client.get("/officers/members/").status_code


def test_a_recovery_code_logs_an_officer_in_once(client, staff):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes(Authenticator.objects.get(
        user=staff, type=Authenticator.Type.RECOVERY_CODES)).get_unused_codes()[0]

    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert 200 == client.get("/staff/payments/").status_code

    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert 200 == again.status_code and "_auth_user_id" not in client.session


def test_a_member_logs_in_without_a_code(client, member):
    r = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert "/me/" == r.url


@pytest.mark.django_db(transaction=True)  # allauth signals the new app on commit, as live
def test_setting_up_two_factor_counts_as_using_it(client, new_officer):
    """The code typed while setting up proves the app: the officer goes on at once."""
    client.post("/accounts/login/", {"login": new_officer.email, "password": PASSWORD})
    # Setting up two-factor is a sensitive change: allauth asks for the password again.
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.url.startswith("/accounts/reauthenticate/")
    client.post(asked.url, {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret

    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert "/accounts/2fa/recovery-codes/" == done.url
    assert 10 == client.get(done.url).content.decode().count("<li><code>")
    assert 200 == client.get("/officers/members/").status_code


def test_every_officer_persona_has_two_factor_set_up(staff, auditor, secretary, other_secretary):
    for officer in (staff, auditor, secretary, other_secretary):
        assert Authenticator.objects.filter(user=officer,
                                            type=Authenticator.Type.TOTP).exists()
