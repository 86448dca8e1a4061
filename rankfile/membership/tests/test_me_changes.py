import pytest

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import BranchChange, Membership
from rankfile.membership.services.changes import membership_change_address, membership_resign
from rankfile.membership.tests.factories import make_member_in

S = Membership.Status


@pytest.fixture
def member(area):
    return make_member_in(area)


def test_it_moves_the_member_to_the_branch_of_their_new_postcode(member, area):
    move = membership_change_address(
        membership=member, address="1 New Road, London", postcode="e49aa", by=member.user
    )

    assert move is not None
    member.refresh_from_db()
    assert ("E4 9AA", area.other_ward, area.other_branch, "1 New Road, London") == (
        member.postcode, member.ward, member.branch, member.address)
    assert (area.branch, area.other_branch, "E4 7AA", "E4 9AA", "Moved address", member.user) == (
        move.from_branch, move.to_branch, move.from_postcode, move.to_postcode, move.reason, move.by)


def test_it_records_no_move_within_the_same_branch(member, area):
    move = membership_change_address(
        membership=member, address="2 Same Street", postcode="E4 7AA", by=member.user
    )

    member.refresh_from_db()
    assert move is None
    assert "2 Same Street" == member.address
    assert 0 == BranchChange.objects.count()


@pytest.mark.parametrize("postcode, code", [
    ("E4 1ZZ", "unknown_postcode"), ("not a postcode", "invalid_postcode"), ("", "invalid_postcode"),
])
def test_it_refuses_a_postcode_it_cannot_place_and_changes_nothing(member, area, postcode, code):
    with pytest.raises(Refusal) as e:
        membership_change_address(membership=member, address="3 Road", postcode=postcode,
                                  by=member.user)

    member.refresh_from_db()
    assert (code, "postcode") == (e.value.code, e.value.field)
    if postcode == "E4 1ZZ":
        assert "E4 1ZZ" in e.value.message
    assert ("E4 7AA", area.branch, "") == (member.postcode, member.branch, member.address)
    assert 0 == BranchChange.objects.count()


def test_it_refuses_someone_elses_address_change(member, outsider, secretary):
    for by in (outsider, secretary):
        with pytest.raises(PermissionRefused):
            membership_change_address(membership=member, address="x", postcode="E4 9AA", by=by)

    member.refresh_from_db()
    assert "E4 7AA" == member.postcode


def test_it_lets_staff_change_a_members_address(member, staff, area):
    move = membership_change_address(membership=member, address="x", postcode="E4 9AA", by=staff)

    assert move is not None
    assert staff == move.by


def test_it_records_a_resignation_with_the_reason(member):
    change = membership_resign(membership=member, by=member.user, reason="  Moving abroad ")

    member.refresh_from_db()
    assert S.RESIGNED == member.status
    assert member.ended_on is not None
    assert "Resigned by the member: Moving abroad" == change.reason


def test_it_refuses_to_resign_an_ended_membership(member):
    membership_resign(membership=member, by=member.user, reason="")

    with pytest.raises(Refusal) as e:
        membership_resign(membership=member, by=member.user, reason="")

    assert "membership_ended" == e.value.code
    assert 2 == member.history.count()


def test_it_refuses_an_address_change_after_resigning(member):
    membership_resign(membership=member, by=member.user, reason="")

    with pytest.raises(Refusal) as e:
        membership_change_address(membership=member, address="x", postcode="E4 9AA",
                                  by=member.user)

    assert "membership_ended" == e.value.code


def test_it_refuses_a_resignation_by_someone_else(member, outsider):
    with pytest.raises(PermissionRefused):
        membership_resign(membership=member, by=outsider, reason="")

    member.refresh_from_db()
    assert S.ACTIVE == member.status


def test_it_rechecks_under_the_lock_when_the_membership_ended_meanwhile(member):
    stale = Membership.objects.get(pk=member.pk)
    membership_resign(membership=member, by=member.user, reason="")

    with pytest.raises(Refusal) as e:
        membership_change_address(membership=stale, address="x", postcode="E4 9AA",
                                  by=stale.user)

    member.refresh_from_db()
    assert "membership_ended" == e.value.code
    assert "E4 7AA" == member.postcode
    assert 0 == BranchChange.objects.count()
