import datetime as dt

from django.utils import timezone

from rankfile.accounts.roles import has_role, is_national_staff
from rankfile.demo.personas import give_role, make_user


def test_it_reaches_bodies_below_the_one_held(secretary, staff, area):
    assert has_role(staff, "staff", area.branch)
    assert has_role(secretary, "secretary", area.branch)
    assert not has_role(secretary, "secretary", area.other_branch)
    assert not has_role(secretary, "secretary", area.constituency)


def test_it_counts_only_staff_of_the_organisation_as_national(staff, area):
    branch_staff = make_user("branch.staff@example.org")
    give_role(branch_staff, "staff", area.branch)

    assert is_national_staff(staff)
    assert not is_national_staff(branch_staff)


def test_it_forgets_a_role_once_it_has_ended(staff):
    staff.roles.update(ends_on=timezone.localdate() - dt.timedelta(days=1))

    assert not is_national_staff(staff)
