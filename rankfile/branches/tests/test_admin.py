import pytest

from rankfile.demo.personas import make_user


@pytest.mark.parametrize("page", ["body", "ward", "wardplacement", "postcode"])
def test_the_admin_lists_load(client, area, page):
    client.force_login(make_user("admin@example.org", is_staff=True, is_superuser=True))

    response = client.get(f"/admin/branches/{page}/")

    assert 200 == response.status_code
