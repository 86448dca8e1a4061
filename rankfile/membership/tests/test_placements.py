import pytest

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import BranchChange, Membership
from rankfile.membership.services.changes import (
    membership_decline_placement,
    membership_list_awaiting_placement,
    membership_place,
)
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.tests.join_helpers import joiner, make_offers, run_tasks


@pytest.fixture
def unplaced(area):
    make_offers()
    result = membership_apply(data=joiner(postcode="E4 9ZZ", postcode_missing=True))
    return Membership.objects.get(pk=result.membership.pk)


def test_it_waits_for_staff_when_the_postcode_is_missing(unplaced):
    assert unplaced.needs_placement
    assert unplaced.branch is None


def test_it_places_by_the_chosen_ward_and_keeps_history(unplaced, staff, area):
    change = membership_place(membership=unplaced, ward=area.other_ward, by=staff)

    unplaced.refresh_from_db()
    assert (area.other_ward, area.other_branch, area.constituency, False) == (
        unplaced.ward, unplaced.branch, unplaced.constituency, unplaced.needs_placement)
    assert (None, area.other_branch, staff) == (change.from_branch, change.to_branch, change.by)
    assert "E4 9ZZ" in change.reason


def test_it_refuses_a_branch_secretary_and_changes_nothing(unplaced, secretary, area):
    with pytest.raises(PermissionRefused):
        membership_place(membership=unplaced, ward=area.ward, by=secretary)

    unplaced.refresh_from_db()
    assert unplaced.needs_placement
    assert 0 == BranchChange.objects.count()


def test_it_refuses_to_place_twice(unplaced, staff, area):
    membership_place(membership=unplaced, ward=area.ward, by=staff)

    with pytest.raises(Refusal) as e:
        membership_place(membership=unplaced, ward=area.other_ward, by=staff)

    assert "already_placed" == e.value.code
    assert 1 == BranchChange.objects.count()


def test_it_lists_and_places_from_the_staff_page(client, unplaced, staff, area):
    client.force_login(staff)
    page = client.get("/staff/placements/")
    assert unplaced.reference in page.content.decode()

    answer = client.post(f"/staff/placements/{unplaced.reference}/",
                         {f"{unplaced.reference}-ward": area.ward.pk})

    assert 302 == answer.status_code
    unplaced.refresh_from_db()
    assert area.branch == unplaced.branch
    assert "Nobody is waiting" in client.get("/staff/placements/").content.decode()


def test_it_shows_a_missing_ward_next_to_the_field(client, unplaced, staff):
    client.force_login(staff)

    answer = client.post(f"/staff/placements/{unplaced.reference}/", {})

    assert 400 == answer.status_code
    assert "Choose the ward of their address." in answer.content.decode()


def test_it_refuses_the_page_to_a_secretary(client, unplaced, secretary):
    client.force_login(secretary)

    assert 403 == client.get("/staff/placements/").status_code
    assert 403 == client.post(f"/staff/placements/{unplaced.reference}/", {}).status_code


def test_it_answers_405_to_a_get_on_place(client, unplaced, staff):
    client.force_login(staff)

    assert 405 == client.get(f"/staff/placements/{unplaced.reference}/").status_code


def test_it_leaves_an_out_of_area_applicant_without_a_branch_and_tells_them(
        unplaced, staff, mailoutbox):
    run_tasks()  # the confirmation e-mail
    mailoutbox.clear()

    change = membership_decline_placement(membership=unplaced, by=staff,
                                          reason="  Postcode is in Glasgow ")
    run_tasks()

    unplaced.refresh_from_db()
    assert (False, None) == (unplaced.needs_placement, unplaced.branch)
    assert unplaced not in membership_list_awaiting_placement(by=staff)
    assert "Not placed in a branch: no branch covers E4 9ZZ (Postcode is in Glasgow)" == (
        change.reason)
    (mail,) = mailoutbox
    assert "None of our local branches covers that\npostcode" in mail.body


@pytest.mark.parametrize("who, reason, error", [
    ("secretary", "Glasgow", PermissionRefused), ("staff", "   ", Refusal),
])
def test_it_refuses_a_decline_by_anyone_but_staff_or_without_a_reason(
        unplaced, request, who, reason, error):
    with pytest.raises(error):
        membership_decline_placement(membership=unplaced, by=request.getfixturevalue(who),
                                     reason=reason)

    unplaced.refresh_from_db()
    assert unplaced.needs_placement
    assert 0 == BranchChange.objects.count()


def test_the_queue_page_declines_with_a_reason_and_shows_a_missing_one(client, unplaced, staff):
    client.force_login(staff)
    prefix = f"{unplaced.reference}-decline"
    url = f"/staff/placements/{unplaced.reference}/decline/"

    empty = client.post(url, {f"{prefix}-reason": ""})
    done = client.post(url, {f"{prefix}-reason": "Postcode is in Glasgow"}, follow=True)
    again = client.post(url, {f"{prefix}-reason": "Postcode is in Glasgow"}, follow=True)

    assert 400 == empty.status_code
    assert "Say why no branch covers this address." in empty.content.decode()
    assert "stays without a branch" in done.content.decode()
    assert "Nobody is waiting to be placed." in done.content.decode()
    assert "is no longer waiting to be placed" in again.content.decode()
    assert 1 == BranchChange.objects.count()
