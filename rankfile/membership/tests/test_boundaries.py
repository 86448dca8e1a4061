import datetime as dt

import pytest
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import WardPlacement
from rankfile.branches.tests.helpers import placed
from rankfile.core.actors import SYSTEM
from rankfile.core.errors import PermissionRefused
from rankfile.membership.models import BranchChange, Category, Membership
from rankfile.membership.services.boundaries import boundary_change_apply


def member_in(area, ward, branch, n):
    category, _ = Category.objects.get_or_create(kind=Category.Kind.MEMBER, name="Member")
    now = timezone.now()
    return Membership.objects.create(
        reference=f"RF-B{n:07d}", user=User.objects.create_user(f"b{n}@example.org"),
        category=category, first_name="Bo", last_name="Undary", date_of_birth=dt.date(1970, 1, 1),
        postcode="E4 7AA", ward=ward, branch=branch, constituency=area.constituency,
        applied_at=now, consent_version="2026-11", consent_at=now,
    )


def test_it_moves_only_the_members_of_the_ward_and_says_why(area, staff):
    moving = member_in(area, area.ward, area.branch, 1)
    staying = member_in(area, area.other_ward, area.other_branch, 2)

    moved = boundary_change_apply(ward=area.ward, to_branch=area.other_branch,
                                  effective_from=dt.date(2027, 5, 6), by=staff)

    assert 1 == moved
    moving.refresh_from_db()
    staying.refresh_from_db()
    assert (area.other_branch, area.other_branch) == (moving.branch, staying.branch)
    change = BranchChange.objects.get()
    assert (moving, area.branch, area.other_branch, staff, "E4 7AA") == (
        change.membership, change.from_branch, change.to_branch, change.by, change.to_postcode)
    assert "Boundary change effective 6 May 2027" == change.reason


def test_it_does_nothing_for_members_already_in_the_branch(area):
    member_in(area, area.ward, area.branch, 1)

    assert 0 == boundary_change_apply(ward=area.ward, to_branch=area.branch,
                                      effective_from=dt.date(2027, 5, 6), by=SYSTEM)
    assert not BranchChange.objects.exists()


def test_it_sees_a_boundary_change_made_through_the_service(
        area, django_capture_on_commit_callbacks):
    assert area.branch == placed("E4 7AA").branch
    WardPlacement.objects.filter(ward=area.ward).update(valid_to=dt.date(2020, 12, 31))
    WardPlacement.objects.create(ward=area.ward, branch=area.other_branch,
                                 valid_from=dt.date(2021, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        boundary_change_apply(ward=area.ward, to_branch=area.other_branch,
                              effective_from=dt.date(2021, 1, 1), by=SYSTEM)

    assert area.other_branch == placed("E4 7AA").branch


@pytest.mark.parametrize("who", ["auditor", "secretary", "outsider"])
def test_it_refuses_anyone_but_staff_and_the_system(area, request, who):
    moving = member_in(area, area.ward, area.branch, 1)

    with pytest.raises(PermissionRefused):
        boundary_change_apply(ward=area.ward, to_branch=area.other_branch,
                              effective_from=dt.date(2027, 5, 6),
                              by=request.getfixturevalue(who))

    moving.refresh_from_db()
    assert (area.branch, False) == (moving.branch, BranchChange.objects.exists())
