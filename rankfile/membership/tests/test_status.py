import datetime as dt

import pytest
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.core.actors import SYSTEM
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Category, Membership
from rankfile.membership.services.status import membership_change_status, membership_set_status

S = Membership.Status


@pytest.fixture
def applied(area):
    category = Category.objects.create(kind=Category.Kind.MEMBER, name="Member", minimum_age=14)
    user = User.objects.create_user("joiner@example.org")
    now = timezone.now()
    return Membership.objects.create(
        reference="RF-TEST0001", user=user, category=category, first_name="Ada", last_name="Joiner",
        date_of_birth=dt.date(1990, 1, 1), postcode="E4 7AA", applied_at=now,
        consent_version="2026-11", consent_at=now,
    )


def test_it_records_who_when_and_why(applied, staff):
    change = membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid by cheque", by=staff)

    applied.refresh_from_db()
    assert S.ACTIVE == applied.status
    assert timezone.localdate() == applied.joined_on == applied.good_standing_since
    assert (S.APPLIED, S.ACTIVE, staff, "Paid by cheque") == (
        change.from_status, change.to_status, change.by, change.reason)


def test_it_keeps_good_standing_through_arrears(applied):
    start = timezone.now() - dt.timedelta(days=400)
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", at=start, by=SYSTEM)
    membership_set_status(membership=applied, status=S.IN_ARREARS, reason="Missed dues", by=SYSTEM)
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid arrears", by=SYSTEM)

    applied.refresh_from_db()
    assert timezone.localdate(start) == applied.good_standing_since
    assert 3 == applied.history.count()


def test_it_restarts_continuity_after_a_lapse(applied):
    start = timezone.now() - dt.timedelta(days=800)
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", at=start, by=SYSTEM)
    membership_set_status(membership=applied, status=S.LAPSED, reason="No dues for 6 months",
                          at=timezone.now() - dt.timedelta(days=100), by=SYSTEM)
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Rejoined", by=SYSTEM)

    applied.refresh_from_db()
    assert timezone.localdate() == applied.good_standing_since
    # London's date of that moment, which near midnight can differ from
    # today's date less 800 days when one side of it is in summer time.
    assert timezone.localdate(start) == applied.joined_on


def test_it_refuses_a_transition_the_lifecycle_forbids_and_changes_nothing(applied):
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", by=SYSTEM)
    membership_set_status(membership=applied, status=S.EXPELLED, reason="Rule 2.I.4", by=SYSTEM)

    with pytest.raises(Refusal) as e:
        membership_set_status(membership=applied, status=S.ACTIVE, reason="Oops", by=SYSTEM)

    assert "invalid_transition" == e.value.code
    applied.refresh_from_db()
    assert S.EXPELLED == applied.status
    assert 2 == applied.history.count()


def test_it_requires_a_reason(applied):
    with pytest.raises(Refusal):
        membership_set_status(membership=applied, status=S.ACTIVE, reason="  ", by=SYSTEM)

    assert 0 == applied.history.count()


def test_it_refuses_someone_who_may_only_view_memberships(applied, auditor):
    """The hole found in part 1: a view-only admin user expelled a member."""
    with pytest.raises(PermissionRefused):
        membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", by=auditor)

    applied.refresh_from_db()
    assert (S.APPLIED, 0) == (applied.status, applied.history.count())


@pytest.mark.parametrize("who", ["secretary", "outsider", "anonymous"])
def test_it_refuses_anyone_but_staff_over_the_member(applied, area, request, who):
    applied.branch = area.branch
    applied.save()
    by = None if who == "anonymous" else request.getfixturevalue(who)

    with pytest.raises(PermissionRefused):
        membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", by=by)

    assert 0 == applied.history.count()


def test_it_lets_staff_of_the_members_branch_change_it_and_not_another(applied, area):
    from rankfile.demo.personas import give_role, make_user

    branch_staff = make_user("branch.staff@example.org")
    give_role(branch_staff, "staff", area.branch)
    applied.branch = area.other_branch
    applied.save()

    with pytest.raises(PermissionRefused):
        membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", by=branch_staff)
    applied.branch = area.branch
    applied.save()
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", by=branch_staff)

    assert S.ACTIVE == applied.status


def test_it_changes_status_from_the_one_stored_not_a_stale_copy(applied, staff):
    stale = Membership.objects.get(pk=applied.pk)
    membership_set_status(membership=applied, status=S.ACTIVE, reason="Paid", by=SYSTEM)

    change = membership_change_status(membership=stale, status=S.SUSPENDED, reason="Conduct",
                                      by=staff)

    assert (S.ACTIVE, S.SUSPENDED) == (change.from_status, change.to_status)
    assert (S.SUSPENDED, None) == (stale.status, stale.good_standing_since)


def test_it_refuses_a_change_the_stored_status_does_not_allow(applied, staff):
    stale = Membership.objects.get(pk=applied.pk)
    membership_set_status(membership=applied, status=S.RESIGNED, reason="Changed their mind",
                          by=SYSTEM)

    with pytest.raises(Refusal) as e:
        membership_change_status(membership=stale, status=S.ACTIVE, reason="Paid", by=staff)

    assert "invalid_transition" == e.value.code
    assert 1 == applied.history.count()
