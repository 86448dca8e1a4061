"""The access log: every look at a member's record by an officer, allowed or refused."""

import csv
import io
import re

import pytest

from rankfile.membership.models import RecordAccess
from rankfile.membership.tests.factories import make_member_in


def _without_csrf(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())


@pytest.fixture
def ours(area):
    return make_member_in(area, first_name="Olive", last_name="Ours")


@pytest.fixture
def theirs(area):
    return make_member_in(area, other=True, first_name="Theo", last_name="Theirs")


def test_it_logs_an_allowed_look_at_a_record(client, secretary, ours):
    client.force_login(secretary)

    client.get(f"/officers/members/{ours.reference}/")

    entry = RecordAccess.objects.get()
    assert (secretary.pk, ours.pk, ours.reference, "view", True) == (
        entry.by_id, entry.membership_id, entry.reference, entry.action, entry.allowed)
    assert entry.purpose


def test_it_refuses_and_logs_another_branchs_member_as_if_it_did_not_exist(
        client, secretary, theirs):
    """A branch secretary opening another branch's member: refused, logged, and answered
    exactly as a reference that does not exist."""
    client.force_login(secretary)

    outside = client.get(f"/officers/members/{theirs.reference}/")
    unknown = client.get("/officers/members/RF-NOSUCH00/")

    assert 404 == outside.status_code == unknown.status_code
    assert _without_csrf(outside.content) == _without_csrf(unknown.content)
    refused, missing = RecordAccess.objects.order_by("pk")
    assert (False, theirs.pk, theirs.reference) == (
        refused.allowed, refused.membership_id, refused.reference)
    assert (False, None, "RF-NOSUCH00") == (
        missing.allowed, missing.membership_id, missing.reference)


def test_it_keeps_the_log_when_the_officer_is_deleted(client, secretary, ours):
    client.force_login(secretary)
    client.get(f"/officers/members/{ours.reference}/")
    officer = secretary.pk
    secretary.roles.all().delete()
    secretary.delete()

    assert officer == RecordAccess.objects.get().by_id


def test_it_logs_an_api_lookup(client, secretary, ours, theirs):
    from rankfile.accounts.services import api_token_create

    _, secret = api_token_create(user=secretary, name="t")
    auth = {"Authorization": f"Bearer {secret}"}

    assert 200 == client.get(f"/api/members/{ours.reference}", headers=auth).status_code
    assert 404 == client.get(f"/api/members/{theirs.reference}", headers=auth).status_code

    assert [("api", True), ("api", False)] == list(
        RecordAccess.objects.order_by("pk").values_list("action", "allowed"))


def test_it_shows_the_timeline_with_history_payments_and_looks(client, staff, ours):
    from django.utils import timezone

    from rankfile.membership.models import Payment

    Payment.objects.create(membership=ours, reference="PAY-TIMELINE", amount_pence=2500,
                           status=Payment.Status.PAID, method=Payment.Method.CASH,
                           created_at=timezone.now(), paid_at=timezone.now())
    client.force_login(staff)

    client.get(f"/officers/members/{ours.reference}/")
    body = client.get(f"/officers/members/{ours.reference}/").content.decode()

    assert "Payment PAY-TIMELINE of £25.00 paid by cash" in body
    assert "timeline-status" in body
    # The earlier look and this one: the log is written before the page is built.
    assert 2 == body.count("Opened the record: Member&#x27;s record page")


def test_it_lets_only_auditors_read_the_log(client, auditor, staff, secretary, ours):
    client.force_login(secretary)
    client.get(f"/officers/members/{ours.reference}/")
    client.get("/officers/members/RF-NOSUCH00/")

    client.force_login(staff)
    assert 403 == client.get("/officers/access-log/").status_code
    client.force_login(auditor)
    everything = client.get("/officers/access-log/").content.decode()
    refused = client.get("/officers/access-log/", {"allowed": "no"}).content.decode()
    by_ref = client.get("/officers/access-log/", {"reference": ours.reference}).content.decode()

    assert "2 entries." in everything and secretary.email in everything
    assert "1 entry." in refused and "RF-NOSUCH00" in refused
    assert "1 entry." in by_ref and "RF-NOSUCH00" not in by_ref


@pytest.mark.parametrize("query", [{"since": "last week"}, {"by": "x"},
                                   {"reference": "RF-\u202eX"}, {"reference": "RF-\x00X"}])
def test_it_answers_bad_filters_precisely(client, auditor, query):
    client.force_login(auditor)

    r = client.get("/officers/access-log/", query)

    assert 400 == r.status_code
    # A NUL is refused at the door (core.middleware), with its own words.
    nul = any("\x00" in v for v in query.values())
    assert ("could not read that request" if nul else "There is a problem") in (
        r.content.decode())


def test_it_exports_a_secretarys_branch_and_logs_each_member(client, secretary, area, ours,
                                                            theirs):
    ours.first_name = "=HYPERLINK(1)"
    ours.save()
    client.force_login(secretary)

    assert 405 == client.get(f"/officers/export/{area.branch.pk}/").status_code
    r = client.post(f"/officers/export/{area.branch.pk}/")

    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert "text/csv; charset=utf-8" == r["Content-Type"]
    assert [ours.reference] == [row["reference"] for row in rows]
    assert "'=HYPERLINK(1)" == rows[0]["first_name"]
    assert [(ours.pk, "export", True)] == list(
        RecordAccess.objects.values_list("membership_id", "action", "allowed"))


def test_it_refuses_another_branchs_export_as_if_it_did_not_exist(client, secretary, area):
    client.force_login(secretary)

    other = client.post(f"/officers/export/{area.other_branch.pk}/")
    unknown = client.post("/officers/export/999999/")

    assert 404 == other.status_code == unknown.status_code
    assert not RecordAccess.objects.exists()


def test_it_refuses_an_export_to_an_auditor(client, auditor):
    client.force_login(auditor)

    assert 403 == client.get("/officers/export/").status_code


def test_it_logs_a_look_at_a_record_in_the_admin(client, auditor, ours):
    client.force_login(auditor)

    r = client.get(f"/admin/membership/membership/{ours.pk}/change/")

    assert 200 == r.status_code
    assert [(auditor.pk, ours.pk, "Admin: member's record")] == list(
        RecordAccess.objects.values_list("by_id", "membership_id", "purpose"))


def test_it_lets_regional_staff_see_their_region_only(client, area, ours):
    """Staff of a region reach the members of every branch below it, and no further."""
    from rankfile.branches.models import Body
    from rankfile.demo.personas import give_role, give_two_factor, make_user

    elsewhere = Body.objects.create(kind=Body.Kind.REGION, name="Elsewhere", code="R-ELSE",
                                    parent=area.organisation)
    regional = make_user("regional@example.org")
    give_role(regional, "staff", area.region)
    give_two_factor(regional)
    far = make_user("far@example.org")
    give_role(far, "staff", elsewhere)
    give_two_factor(far)

    client.force_login(regional)
    assert 200 == client.get(f"/officers/members/{ours.reference}/").status_code
    client.force_login(far)
    assert 404 == client.get(f"/officers/members/{ours.reference}/").status_code
    assert [True, False] == list(RecordAccess.objects.order_by("pk")
                                 .values_list("allowed", flat=True))
