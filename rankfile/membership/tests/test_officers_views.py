import pytest

from rankfile.membership.tests.factories import make_member_in


@pytest.fixture
def ours(area):
    return make_member_in(area, first_name="Olive", last_name="Ours")


@pytest.fixture
def theirs(area):
    return make_member_in(area, other=True, first_name="Theo", last_name="Theirs")


def test_it_lists_a_secretarys_own_branch_only(client, secretary, ours, theirs):
    client.force_login(secretary)

    body = client.get("/officers/members/").content.decode()

    assert ours.reference in body
    assert theirs.reference not in body
    assert "1 member found." in body


def test_it_lists_everyone_for_staff_and_searches(client, staff, ours, theirs):
    client.force_login(staff)

    everyone = client.get("/officers/members/").content.decode()
    found = client.get("/officers/members/", {"q": "theo"}).content.decode()

    assert ours.reference in everyone and theirs.reference in everyone
    assert theirs.reference in found and ours.reference not in found


def test_it_pages_the_list_by_fifty(client, staff, area):
    for _ in range(51):
        make_member_in(area)
    client.force_login(staff)

    first = client.get("/officers/members/").content.decode()
    second = client.get("/officers/members/", {"page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert 50 == first.count("/officers/members/RF-")
    assert 1 == second.count("/officers/members/RF-")


def test_it_shows_a_secretary_their_members_record(client, secretary, ours):
    client.force_login(secretary)

    r = client.get(f"/officers/members/{ours.reference}/")

    assert 200 == r.status_code
    assert "Olive Ours" in r.content.decode()
    assert "Set up for a test" in r.content.decode()


def _without_csrf(body: bytes) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())


def test_it_answers_another_branchs_member_as_a_reference_that_does_not_exist(
        client, secretary, theirs):
    client.force_login(secretary)

    r = client.get(f"/officers/members/{theirs.reference}/")
    nobody = client.get("/officers/members/RF-NOPE0000/")

    assert 404 == r.status_code == nobody.status_code
    assert _without_csrf(nobody.content) == _without_csrf(r.content)
    assert "Theo" not in r.content.decode()


def test_it_refuses_an_outsider_with_a_clear_page(client, outsider, ours):
    client.force_login(outsider)

    lists = client.get("/officers/members/")
    record = client.get(f"/officers/members/{ours.reference}/")

    assert (403, 403) == (lists.status_code, record.status_code)
    assert "Only membership staff, auditors and branch secretaries" in lists.content.decode()


def test_it_says_when_a_reference_is_unknown(client, staff):
    client.force_login(staff)

    r = client.get("/officers/members/RF-NOPE/")

    assert 404 == r.status_code
    assert "There is no membership with that reference that you can see." in (
        r.content.decode())


def test_it_sends_anonymous_visitors_to_log_in(client, ours):
    for url in ("/officers/members/", f"/officers/members/{ours.reference}/"):
        r = client.get(url)

        assert 302 == r.status_code
        assert r.url.startswith("/accounts/login/")


def test_it_answers_405_to_a_post(client, staff):
    client.force_login(staff)

    assert 405 == client.post("/officers/members/").status_code


def test_it_filters_staffs_list_by_branch(client, staff, area, ours, theirs):
    client.force_login(staff)

    body = client.get("/officers/members/", {"branch": area.other_branch.pk}).content.decode()

    assert theirs.reference in body
    assert ours.reference not in body
    assert f'<option value="{area.other_branch.pk}" selected>Highams Park</option>' in body


def test_it_offers_a_secretary_no_branch_filter_and_ignores_a_forged_one(
        client, secretary, area, ours, theirs):
    client.force_login(secretary)

    body = client.get("/officers/members/", {"branch": area.other_branch.pk}).content.decode()

    assert 'id="id_branch"' not in body
    assert ours.reference in body
    assert theirs.reference not in body
