import pytest

from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.demo.personas import give_role, make_user
from rankfile.membership.models import Membership
from rankfile.membership.selectors import access_membership, membership_list_for
from rankfile.membership.tests.factories import make_member_in, make_membership


@pytest.fixture
def ours(area):
    return make_member_in(area, first_name="Olive", last_name="Ours")


@pytest.fixture
def theirs(area):
    return make_member_in(area, other=True, first_name="Theo", last_name="Theirs")


def test_it_shows_a_secretary_their_branch_only(secretary, ours, theirs):
    assert [ours] == list(membership_list_for(secretary))


def test_it_shows_staff_everyone_including_the_unplaced(staff, ours, theirs):
    unplaced = make_membership(postcode="E4 1ZZ", needs_placement=True)

    assert {ours, theirs, unplaced} == set(membership_list_for(staff))


def test_it_lets_a_constituency_role_reach_its_branches(area, ours, theirs):
    officer = make_user("con@example.org")
    give_role(officer, "secretary", area.constituency)

    assert {ours, theirs} == set(membership_list_for(officer))


def test_it_refuses_a_list_to_someone_without_a_role(outsider, ours):
    with pytest.raises(PermissionRefused):
        membership_list_for(outsider)


def test_it_searches_by_name_email_and_reference(staff, ours, theirs):
    assert [ours] == list(membership_list_for(staff, q="olive OURS"))
    # The whole address: a prefix such as "member10" would also match "member100".
    assert [theirs] == list(membership_list_for(staff, q=theirs.user.email.split("@")[0] + "@"))
    assert [theirs] == list(membership_list_for(staff, q=theirs.reference.lower()))


def test_it_filters_by_status_and_branch(staff, area, ours, theirs):
    ours.status = Membership.Status.LAPSED
    ours.save()

    assert [ours] == list(membership_list_for(staff, status="lapsed"))
    assert 2 == membership_list_for(staff, status="nonsense").count()
    assert [theirs] == list(membership_list_for(staff, branch=area.other_branch))


def test_it_answers_another_branchs_member_as_a_reference_that_does_not_exist(
        secretary, theirs):
    with pytest.raises(NotFound) as outside:
        access_membership(secretary, theirs.reference)
    with pytest.raises(NotFound) as unknown:
        access_membership(secretary, "RF-NOPE0000")

    assert unknown.value.as_dict() == outside.value.as_dict()


def test_it_lets_an_auditor_read_everyone_and_a_token_only_its_role(auditor, secretary, area,
                                                                    ours, theirs):
    from rankfile.demo.personas import give_role

    as_auditor = give_role(secretary, "auditor", area.organisation)
    as_secretary = secretary.roles.get(kind="secretary")

    assert {ours, theirs} == set(membership_list_for(auditor))
    assert theirs == access_membership(secretary, theirs.reference, under=as_auditor)
    with pytest.raises(NotFound):
        access_membership(secretary, theirs.reference, under=as_secretary)


def test_it_gives_a_secretary_their_own_branchs_member(secretary, ours):
    assert ours == access_membership(secretary, ours.reference)


def test_it_says_when_a_reference_is_unknown(staff):
    with pytest.raises(NotFound):
        access_membership(staff, "RF-NOPE")


def test_it_refuses_an_outsider_before_saying_whether_a_reference_exists(outsider):
    with pytest.raises(PermissionRefused):
        access_membership(outsider, "RF-NOPE")
