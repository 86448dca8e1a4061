import pytest


@pytest.mark.parametrize("page", ["body", "ward", "wardplacement", "postcode"])
def test_the_admin_lists_load_for_staff_and_auditors(client, area, staff, auditor, page):
    for who in (staff, auditor):
        client.force_login(who)

        assert 200 == client.get(f"/admin/branches/{page}/").status_code


@pytest.mark.parametrize("page", ["body", "ward", "wardplacement", "postcode"])
def test_places_are_read_only_in_the_admin_even_for_staff(client, area, staff, page):
    """Places change with import_geo, so that members follow a ward that moves."""
    client.force_login(staff)

    add = client.get(f"/admin/branches/{page}/add/")
    change = client.post(f"/admin/branches/{page}/1/change/", {})
    delete = client.post(f"/admin/branches/{page}/1/delete/", {"post": "yes"})

    assert (403, 403, 403) == (add.status_code, change.status_code, delete.status_code)
