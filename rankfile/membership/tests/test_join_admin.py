import pytest

from rankfile.accounts.models import User
from rankfile.membership.models import Membership
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.tests.join_helpers import joiner, make_offers


@pytest.fixture
def admin_client_(client, area):
    make_offers()
    admin = User.objects.create_superuser("admin@example.org", "correct horse battery")
    client.force_login(admin)
    return client


def test_it_changes_status_through_the_service_with_a_reason(admin_client_):
    m = membership_apply(data=joiner()).membership
    url = "/admin/membership/membership/"

    asked = admin_client_.post(url, {"action": "change_status", "_selected_action": [m.pk]})
    done = admin_client_.post(url, {"action": "change_status", "_selected_action": [m.pk],
                                    "apply": "1", "status": "active", "reason": "Paid in person"})

    m.refresh_from_db()
    assert (200, 302) == (asked.status_code, done.status_code)
    last = m.history.last()
    assert last is not None
    assert (Membership.Status.ACTIVE, "Paid in person") == (m.status, last.reason)


def test_it_lists_memberships_and_payments(admin_client_):
    membership_apply(data=joiner())

    for url in ("/admin/membership/membership/", "/admin/membership/payment/",
                "/admin/membership/category/", "/admin/membership/joiningwindow/"):
        assert 200 == admin_client_.get(url).status_code, url
