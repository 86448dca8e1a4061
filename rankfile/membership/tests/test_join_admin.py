import pytest
from django.core.cache import cache

from rankfile.membership.models import Category, Membership
from rankfile.membership.services.joining import OFFERS_CACHE_KEY, joining_offers, membership_apply
from rankfile.membership.tests.join_helpers import joiner, make_offers

URL = "/admin/membership/membership/"


@pytest.fixture
def applied(area):
    make_offers()
    return membership_apply(data=joiner()).membership


def change_status(client, m, **data):
    return client.post(URL, {"action": "change_status", "_selected_action": [m.pk], **data})


def test_it_changes_status_through_the_service_with_a_reason(client, staff, applied):
    client.force_login(staff)

    asked = change_status(client, applied)
    done = change_status(client, applied, apply="1", status="active", reason="Paid in person")

    applied.refresh_from_db()
    assert (200, 302) == (asked.status_code, done.status_code)
    last = applied.history.last()
    assert last is not None
    assert (Membership.Status.ACTIVE, "Paid in person", staff) == (
        applied.status, last.reason, last.by)


def test_an_auditor_can_read_memberships_but_not_change_a_status(client, auditor, applied):
    """The hole found in part 1: a view-only admin user expelled a member."""
    client.force_login(auditor)

    listed = client.get(URL)
    done = change_status(client, applied, apply="1", status="expired", reason="Gone")

    applied.refresh_from_db()
    assert 200 == listed.status_code
    assert "change_status" not in listed.content.decode()
    assert (Membership.Status.APPLIED, 1) == (applied.status, applied.history.count())
    assert "Changed the status" not in done.content.decode()


def test_it_lists_memberships_and_payments(client, staff, applied):
    client.force_login(staff)

    for url in (URL, "/admin/membership/payment/", "/admin/membership/category/",
                "/admin/membership/joiningwindow/", f"{URL}{applied.pk}/change/"):
        assert 200 == client.get(url).status_code, url


def test_memberships_and_payments_are_read_only_even_for_staff(client, staff, applied):
    client.force_login(staff)

    change = client.post(f"{URL}{applied.pk}/change/", {"status": "expelled"})
    delete = client.post(f"{URL}{applied.pk}/delete/", {"post": "yes"})

    applied.refresh_from_db()
    assert (403, 403) == (change.status_code, delete.status_code)
    assert Membership.Status.APPLIED == applied.status


def test_it_saves_a_category_through_the_service_and_forgets_the_offers(
        client, staff, area, django_capture_on_commit_callbacks):
    make_offers()
    joining_offers()
    category = Category.objects.get(kind="registered_supporter")
    client.force_login(staff)
    form = client.get(f"/admin/membership/category/{category.pk}/change/").context["adminform"]
    data = {k: v for k, v in form.form.initial.items() if v is not None}
    data.update({"name": "Registered supporter (2016)", "rates-TOTAL_FORMS": 0,
                 "rates-INITIAL_FORMS": 0, "windows-TOTAL_FORMS": 0, "windows-INITIAL_FORMS": 0})
    if not data.get("needs_window"):
        data.pop("needs_window", None)

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/admin/membership/category/{category.pk}/change/", data)

    category.refresh_from_db()
    assert 302 == r.status_code, r.content.decode()[:3000]
    assert "Registered supporter (2016)" == category.name
    assert cache.get(OFFERS_CACHE_KEY) is None


def test_an_auditor_cannot_change_a_category(client, auditor, area):
    make_offers()
    category = Category.objects.get(kind="member")
    client.force_login(auditor)

    r = client.post(f"/admin/membership/category/{category.pk}/change/", {"name": "Nope"})

    category.refresh_from_db()
    assert 403 == r.status_code
    assert "Nope" != category.name
