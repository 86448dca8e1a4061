import datetime as dt

import pytest

from rankfile.branches.models import WardPlacement
from rankfile.branches.selectors import body_get, branch_list, organisation_get, place_postcode
from rankfile.branches.tests.helpers import placed
from rankfile.core.errors import NotFound


def test_it_places_a_postcode_written_loosely(area, django_assert_max_num_queries,
                                              django_assert_num_queries):
    with django_assert_max_num_queries(3):
        place_postcode("E4 9AA")  # reads the wards once
    with django_assert_num_queries(1):
        placement = placed(" e47aa ")

    assert "E4 7AA" == placement.postcode
    assert (area.ward, area.branch, area.constituency) == (
        placement.ward, placement.branch, placement.constituency)


def test_it_returns_none_for_unknown_or_malformed_postcodes(area):
    assert place_postcode("E4 0ZZ") is None
    assert place_postcode("not a postcode") is None
    assert place_postcode("") is None


def test_it_places_by_the_placement_valid_on_the_day(area):
    WardPlacement.objects.filter(ward=area.ward).update(valid_to=dt.date(2020, 12, 31))
    WardPlacement.objects.create(ward=area.ward, branch=area.other_branch,
                                 valid_from=dt.date(2021, 1, 1))

    assert area.branch == placed("E4 7AA", on=dt.date(2020, 6, 1)).branch
    assert area.other_branch == placed("E4 7AA", on=dt.date(2021, 6, 1)).branch
    assert placed("E4 7AA", on=dt.date(2001, 1, 1)).branch is None


def test_it_lists_branches_with_their_wards(area, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        summaries = branch_list()

    assert [("Chingford", ["Chingford Green"]), ("Highams Park", ["Hale End and Highams Park"])] == [
        (s.branch.name, [w.name for w in s.wards]) for s in summaries]
    assert area.constituency == summaries[0].constituency


def test_it_gets_a_body_by_code_or_refuses(area):
    assert area.branch == body_get("WF-CHN")
    with pytest.raises(NotFound):
        body_get("WF-NOPE")


def test_it_finds_the_organisation_at_the_top(db, area):
    assert area.organisation == organisation_get()


def test_it_has_no_organisation_before_any_import(db):
    assert organisation_get() is None
