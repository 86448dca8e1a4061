"""A member downloads what is held about them; the retention rule runs daily."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from rankfile.core.actors import System
from rankfile.core.errors import PermissionRefused
from rankfile.core.pseudonyms import pseudonym
from rankfile.membership.models import Membership, StatusChange
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.privacy.holds import register_erasure_hold, unregister_erasure_hold
from rankfile.privacy.models import Erasure, RetentionRun
from rankfile.privacy.services import person_export, retention_run

V = Membership.Vetting


def test_the_export_holds_the_members_record_and_nobody_elses(area):
    mine = make_member_in(area, first_name="Rosa", address="1 High St")
    make_payment(mine, amount_pence=450)
    make_member_in(area, first_name="Someone", last_name="Else")

    data = person_export(user=mine.user)

    [membership] = data["memberships"]
    assert ("Rosa", "1 High St", mine.reference) == (
        membership["first_name"], membership["address"], membership["reference"])
    assert 450 == membership["payments"][0]["amount_pence"]
    assert mine.user.email == data["account"]["email"]
    assert "Someone" not in json.dumps(data)


def test_the_member_downloads_json_and_reads_the_page(client, area):
    mine = make_member_in(area, first_name="Rosa")
    client.force_login(mine.user)

    download = client.get(reverse("privacy:my_data_json"))
    page = client.get(reverse("privacy:my_data"))

    assert 200 == download.status_code == page.status_code
    assert "attachment" in download["Content-Disposition"]
    assert "Rosa" == json.loads(download.content)["memberships"][0]["first_name"]
    assert "Rosa" in page.text


def test_a_visitor_is_sent_to_log_in(client, db):
    response = client.get(reverse("privacy:my_data_json"))

    assert 302 == response.status_code


def _rejected(area, *, months_ago):
    at = timezone.now() - dt.timedelta(days=31 * months_ago)
    m = make_member_in(area, status=Membership.Status.APPLIED, vetting=V.REJECTED,
                       first_name="Rejected")
    Membership.objects.filter(pk=m.pk).update(applied_at=at)
    StatusChange.objects.create(membership=m, from_status="applied", to_status="applied",
                                at=at, reason="Rejected in vetting")
    return m


def test_it_anonymises_rejected_applications_past_the_retention_period(area, settings):
    settings.RETENTION_REJECTED_MONTHS = 6
    old = _rejected(area, months_ago=7)
    recent = _rejected(area, months_ago=2)
    member = make_member_in(area, first_name="Kept")
    Membership.objects.filter(pk=member.pk).update(applied_at=old.applied_at)

    run = retention_run(by=System("test"))

    old.refresh_from_db()
    recent.refresh_from_db()
    member.refresh_from_db()
    assert (1, [pseudonym(old.user_id)]) == (run.removed, run.pseudonyms)
    assert ("Former member", "Rejected", "Kept") == (
        old.first_name, recent.first_name, member.first_name)
    assert old.user.is_active  # only the application, not the person's login


def test_it_removes_nothing_more_when_run_twice(area):
    _rejected(area, months_ago=12)

    first = retention_run(by=System("test"))
    second = retention_run(by=System("test"))

    assert (1, 0) == (first.removed, second.removed)
    assert 1 == Erasure.objects.filter(kind=Erasure.Kind.RETENTION).count()


def test_it_waits_while_a_hold_keeps_the_person(area):
    old = _rejected(area, months_ago=12)

    def hold(user):
        return ["On a roll"] if user.pk == old.user_id else []

    register_erasure_hold(hold)
    try:
        assert 0 == retention_run(by=System("test")).removed
    finally:
        unregister_erasure_hold(hold)
    assert 1 == retention_run(by=System("test")).removed


def test_it_refuses_a_person_who_is_not_staff(area, member):
    with pytest.raises(PermissionRefused):
        retention_run(by=member)

    assert 0 == RetentionRun.objects.count()


def test_the_command_reports_what_it_removed(area, capsys):
    old = _rejected(area, months_ago=12)

    call_command("privacy_daily", "--now")

    out = capsys.readouterr().out
    assert "Removed 1" in out and pseudonym(old.user_id) in out
