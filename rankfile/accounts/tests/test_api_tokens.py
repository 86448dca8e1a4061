import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from rankfile.accounts.models import ApiToken
from rankfile.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from rankfile.core.errors import PermissionRefused, Refusal


def holder(raw):
    token = api_token_authenticate(raw)
    return None if token is None else token.user


def test_it_stores_only_the_hash_of_the_secret(staff):
    token, raw = api_token_create(user=staff, name="Export script")

    token.refresh_from_db()
    assert raw.startswith("rf_") and len(raw) > 40
    assert raw[:8] == token.prefix
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert raw not in str(ApiToken.objects.values().get())


def test_it_lets_a_secretary_create_a_token(secretary):
    token, _ = api_token_create(user=secretary, name="Branch sheet")

    assert secretary == token.user


def test_it_refuses_a_token_to_someone_without_an_officer_role(outsider):
    with pytest.raises(PermissionRefused):
        api_token_create(user=outsider, name="Mine")

    assert 0 == ApiToken.objects.count()


def test_it_refuses_a_token_without_a_name(staff):
    with pytest.raises(Refusal) as e:
        api_token_create(user=staff, name="   ")

    assert "name" == e.value.field


def test_it_authenticates_a_live_token_and_notes_its_use(staff):
    token, raw = api_token_create(user=staff, name="x")

    assert staff == holder(raw)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_writes_last_used_at_at_most_once_a_minute(staff):
    token, raw = api_token_create(user=staff, name="x")
    start = timezone.now()
    api_token_authenticate(raw, now=start)

    api_token_authenticate(raw, now=start + dt.timedelta(seconds=30))
    token.refresh_from_db()
    assert start == token.last_used_at

    api_token_authenticate(raw, now=start + dt.timedelta(seconds=61))
    token.refresh_from_db()
    assert start + dt.timedelta(seconds=61) == token.last_used_at


@pytest.mark.parametrize("raw", [None, "", "rf_wrong", "not-even-prefixed", "rf_" + "x" * 500])
def test_it_refuses_unknown_tokens(staff, raw):
    api_token_create(user=staff, name="x")

    assert api_token_authenticate(raw) is None


def test_it_refuses_a_revoked_token(staff):
    token, raw = api_token_create(user=staff, name="x")

    api_token_revoke(token=token, by=staff)

    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None


def test_it_refuses_a_token_of_a_deactivated_user(staff):
    _, raw = api_token_create(user=staff, name="x")
    staff.is_active = False
    staff.save()

    assert api_token_authenticate(raw) is None


def test_it_refuses_a_token_once_its_holder_no_longer_holds_an_officer_role(secretary):
    import datetime as dt

    from django.utils import timezone

    _, raw = api_token_create(user=secretary, name="branch laptop")
    assert secretary == holder(raw)

    secretary.roles.update(ends_on=timezone.localdate() - dt.timedelta(days=1))

    assert api_token_authenticate(raw) is None


def test_it_refuses_to_revoke_someone_elses_token(staff, secretary):
    token, raw = api_token_create(user=staff, name="x")

    with pytest.raises(PermissionRefused):
        api_token_revoke(token=token, by=secretary)

    assert staff == holder(raw)


def test_it_shows_a_new_secret_once_on_the_tokens_page(client, staff):
    client.force_login(staff)

    r = client.post("/account/tokens/", {"name": "Export script"}, follow=True)
    token = ApiToken.objects.get()
    again = client.get("/account/tokens/").content.decode()

    assert [("/account/tokens/", 302)] == r.redirect_chain
    assert "Copy your new token now" in r.content.decode()
    assert token.prefix in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    assert "Export script" in again and token.prefix in again
    assert "Copy your new token now" not in again


def test_it_makes_no_second_token_when_the_page_is_refreshed(client, staff):
    """The POST answers with a redirect, so a refresh repeats the GET, not the POST."""
    client.force_login(staff)

    created = client.post("/account/tokens/", {"name": "Export script"})
    client.get(created["Location"])
    client.get(created["Location"])

    assert 302 == created.status_code
    assert 1 == ApiToken.objects.count()


def test_it_shows_a_missing_name_next_to_the_field(client, staff):
    client.force_login(staff)

    r = client.post("/account/tokens/", {"name": ""})

    assert 400 == r.status_code
    assert "Give the token a name." in r.content.decode()


def test_it_tells_a_member_without_a_role_they_cannot_create_tokens(client, outsider):
    client.force_login(outsider)

    get = client.get("/account/tokens/")
    post = client.post("/account/tokens/", {"name": "x"})

    assert "Only membership staff, auditors and branch secretaries" in get.content.decode()
    assert 403 == post.status_code
    assert 0 == ApiToken.objects.count()


def test_it_revokes_from_the_tokens_page(client, staff):
    token, raw = api_token_create(user=staff, name="Old script")
    client.force_login(staff)

    r = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    assert "is revoked" in r.content.decode()
    assert api_token_authenticate(raw) is None


def test_it_does_not_revoke_someone_elses_token_from_the_page(client, staff, secretary):
    token, raw = api_token_create(user=staff, name="x")
    client.force_login(secretary)

    r = client.post(f"/account/tokens/{token.pk}/revoke/")

    assert 404 == r.status_code
    assert staff == holder(raw)


def test_it_answers_405_to_a_get_on_revoke(client, staff):
    token, _ = api_token_create(user=staff, name="x")
    client.force_login(staff)

    assert 405 == client.get(f"/account/tokens/{token.pk}/revoke/").status_code


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    assert client.get("/account/tokens/").url.startswith("/accounts/login/")


# Bound to a role: a token acts under the role it was created for, and dies with it.

def test_it_binds_a_token_to_its_holders_only_officer_role(secretary):
    token, raw = api_token_create(user=secretary, name="x")

    found = api_token_authenticate(raw)

    assert found is not None
    assert secretary.roles.get() == token.role == found.role


def test_it_asks_which_role_when_the_holder_has_several(secretary, area):
    from rankfile.demo.personas import give_role

    give_role(secretary, "auditor", area.organisation)

    with pytest.raises(Refusal) as e:
        api_token_create(user=secretary, name="x")

    assert ("role_required", "role") == (e.value.code, e.value.field)
    assert 0 == ApiToken.objects.count()


def test_it_refuses_a_token_under_someone_elses_role(secretary, staff):
    with pytest.raises(PermissionRefused):
        api_token_create(user=secretary, name="x", role=staff.roles.get())

    assert 0 == ApiToken.objects.count()


def test_it_refuses_a_token_under_a_role_the_api_does_not_serve(area, outsider):
    from rankfile.demo.personas import give_role

    moderator = give_role(outsider, "moderator", area.branch)

    with pytest.raises(PermissionRefused):
        api_token_create(user=outsider, name="x", role=moderator)


def test_a_token_dies_when_its_role_is_ended(secretary, staff):
    from rankfile.accounts.services import role_end

    token, raw = api_token_create(user=secretary, name="x")

    role_end(role=secretary.roles.get(), by=staff)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None


def test_a_token_dies_the_day_after_its_role_ends(secretary, _clock):
    token, raw = api_token_create(user=secretary, name="x")
    secretary.roles.update(ends_on=timezone.localdate() + dt.timedelta(days=3))
    assert api_token_authenticate(raw) is not None

    _clock.shift(dt.timedelta(days=4))

    assert api_token_authenticate(raw) is None


def test_a_token_dies_when_its_role_is_deleted(secretary, staff):
    from rankfile.accounts.services import role_delete

    token, raw = api_token_create(user=secretary, name="x")

    role_delete(role=secretary.roles.get(), by=staff)

    token.refresh_from_db()
    assert (None, True) == (token.role, token.revoked_at is not None)
    assert api_token_authenticate(raw) is None


def test_a_token_dies_when_its_role_is_deleted_behind_the_services_back(secretary):
    token, raw = api_token_create(user=secretary, name="x")

    secretary.roles.get().delete()  # e.g. with its body

    assert api_token_authenticate(raw) is None


def test_a_token_outlives_another_role_of_its_holder_ending(secretary, staff, area):
    from rankfile.accounts.services import role_end
    from rankfile.demo.personas import give_role

    other = give_role(secretary, "auditor", area.organisation)
    token, raw = api_token_create(user=secretary, name="x", role=secretary.roles.get(
        kind="secretary"))

    role_end(role=other, by=staff)

    assert secretary == holder(raw)


def test_it_offers_a_choice_of_roles_on_the_tokens_page(client, secretary, area):
    from rankfile.demo.personas import give_role

    auditor = give_role(secretary, "auditor", area.organisation)
    client.force_login(secretary)

    page = client.get("/account/tokens/").content.decode()
    r = client.post("/account/tokens/", {"name": "Audit script", "role": auditor.pk})

    assert "Auditor (read-only staff) of Test Party" in page
    assert 302 == r.status_code  # to the page that shows the new secret once
    assert auditor == ApiToken.objects.get().role


def test_it_refuses_a_role_that_is_not_yours_on_the_tokens_page(client, secretary, staff):
    client.force_login(secretary)

    r = client.post("/account/tokens/", {"name": "x", "role": staff.roles.get().pk})

    assert 400 == r.status_code
    assert 0 == ApiToken.objects.count()
