import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rankfile.branches.models import Body, Postcode, Ward, WardPlacement
from rankfile.branches.services.importing import GeoImportRefused, GeoImportReport, geo_import
from rankfile.branches.tests.helpers import placed

DATA = Path(__file__).resolve().parents[1] / "data" / "waltham_forest"
SINCE = dt.date(2002, 5, 2)

WARDS_HEADER = (
    "ward_code,ward_name,constituency_code,constituency_name,lad_code,lad_name,region_name\n"
)
BRANCHES_HEADER = "branch_code,branch_name,constituency_code,ward_code,ward_name\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def counts() -> tuple[int, int, int, int]:
    return (Body.objects.count(), Ward.objects.count(), WardPlacement.objects.count(),
            Postcode.objects.count())


def import_shipped(**extra: Any) -> GeoImportReport:
    return geo_import(wards=DATA / "wards.csv", branches=DATA / "branches.csv",
                      postcodes=DATA / "postcodes.csv", effective_from=SINCE, **extra)


def refused(**files: Any) -> str:
    before = counts()
    with pytest.raises(GeoImportRefused) as e:
        geo_import(**files)

    assert before == counts()
    return e.value.message


def test_it_imports_the_shipped_waltham_forest_files(db):
    report = import_shipped(organisation_name="Demo Party")

    assert 20 == Ward.objects.count()
    assert 7 == Body.objects.filter(kind=Body.Kind.BRANCH).count()
    assert 3 == Body.objects.filter(kind=Body.Kind.CONSTITUENCY).count()
    assert 3704 == Postcode.objects.count()
    assert 20 == WardPlacement.objects.filter(valid_to=None, valid_from=SINCE).count()
    assert 3704 == report.tallies["postcodes"].created
    org = Body.objects.get(kind=Body.Kind.ORGANISATION)
    assert ("ORG", "Demo Party") == (org.code, org.name)
    london = Body.objects.get(kind=Body.Kind.REGION)
    assert ("REG-LONDON", org) == (london.code, london.parent)
    chingford = Body.objects.get(code="WF-CHN")
    assert chingford.parent is not None
    assert ("Chingford and Woodford Green", london) == (chingford.parent.name,
                                                        chingford.parent.parent)
    placement = placed("E4 0AW")
    assert ("Chingford Green", "WF-CHN", "E14000634") == (
        placement.ward.name, placement.branch and placement.branch.code,
        placement.constituency.code)


def test_it_changes_nothing_when_run_again_with_the_same_files(db):
    import_shipped()
    before = list(WardPlacement.objects.values_list("pk", "ward_id", "branch_id", "valid_to"))

    report = import_shipped()

    assert before == list(
        WardPlacement.objects.values_list("pk", "ward_id", "branch_id", "valid_to"))
    assert all(t.created == t.updated == 0 for t in report.tallies.values())
    assert 3704 == report.tallies["postcodes"].unchanged


def test_it_refuses_a_boundary_change_dated_before_the_current_placement(db, tmp_path):
    import_shipped()
    changed = (DATA / "branches.csv").read_text().replace(
        "WF-CHN,Chingford,E14000634,E05000607", "WF-HPH,Highams Park and Hale End,E14000634,"
        "E05000607")

    message = refused(branches=write(tmp_path, "b.csv", changed), effective_from=SINCE)

    assert "b.csv row 4, field branch_code: ward E05000607 has been in branch WF-CHN" in message


def test_it_names_missing_columns(db, tmp_path):
    path = write(tmp_path, "wards.csv", "ward_code,ward_name,constituency_code\n"
                 "E05000593,Chingford Green,E14000634\n")

    message = refused(wards=path)

    assert "wards.csv: missing columns constituency_name, lad_code, lad_name, region_name" \
        in message
    assert "Row numbers count the header as row 1" in message


def test_it_reports_a_file_that_is_not_utf8_with_its_line(db, tmp_path):
    text = WARDS_HEADER + "E05000593,Chingford Green,E14000634,Chingford,E09000031,WF,London\n"
    text += "E05000594,Endlebury,E14000634,Chingford,E09000031,Waltham Forêt,London\n"
    path = write(tmp_path, "wards.csv", text.encode("latin-1"))

    message = refused(wards=path)

    assert "wards.csv: not UTF-8: line 3" in message


def test_it_reports_bad_codes_and_empty_names_by_row_and_field(db, tmp_path):
    path = write(tmp_path, "wards.csv", WARDS_HEADER
                 + "E05000593,Chingford Green,E14000634,Chingford,E09000031,WF,London\n"
                 + "E0500059,Endlebury,E14000634,Chingford,E09000031,WF,London\n"
                 + "E05000607,,X14000634,Chingford,E09000031,WF,London\n")

    message = refused(wards=path)

    assert "wards.csv row 3, field ward_code: ‘E0500059’ is not an ONS ward code" in message
    assert "wards.csv row 4, field ward_name: empty" in message
    assert "wards.csv row 4, field constituency_code: ‘X14000634’ is not an ONS " \
        "constituency code" in message
    assert not Body.objects.exists()


def test_it_reports_unknown_wards_and_bad_or_duplicate_postcodes(db, tmp_path):
    postcodes = write(tmp_path, "postcodes.csv", "postcode,ward_code\n"
                      "E4 0AW,E05000593\n"
                      "E4 0A,E05000593\n"
                      "e40aw,E05000594\n"
                      "E4 0BE,E05999999\n")

    message = refused(wards=DATA / "wards.csv", postcodes=postcodes)

    assert "postcodes.csv row 3, field postcode: ‘E4 0A’ is not a UK postcode." in message
    assert "postcodes.csv row 4, field postcode: ‘E4 0AW’ is listed twice (also on row 2)" \
        in message
    assert "postcodes.csv row 5, field ward_code: E05999999 is not a known ward" in message


def test_it_refuses_a_branch_spanning_two_constituencies_or_a_ward_in_two_branches(db,
                                                                                  tmp_path):
    branches = write(tmp_path, "branches.csv", BRANCHES_HEADER
                     + "WF-CHN,Chingford,E14000634,E05000593,Chingford Green\n"
                     + "WF-CHN,Chingford,E14000790,E05000590,Cann Hall\n"
                     + "WF-HPH,Highams Park,E14000634,E05000593,Chingford Green\n"
                     + "WF-LEY,Leyton,E14000790,E05000594,Endlebury\n"
                     + "WF-XYZ,Nowhere,E14000634,E05999999,\n")

    message = refused(wards=DATA / "wards.csv", branches=branches)

    assert "branches.csv row 3, field constituency_code: branch WF-CHN would span two " \
        "constituencies" in message
    assert "branches.csv row 4, field ward_code: E05000593 is already in branch WF-CHN (row 2)" \
        in message
    assert "branches.csv row 5, field constituency_code: ward E05000594 is in constituency " \
        "E14000634, not E14000790" in message
    assert "branches.csv row 6, field ward_code: E05999999 is not a known ward" in message


def test_branches_need_their_wards_known(db, tmp_path):
    message = refused(branches=DATA / "branches.csv")

    assert "branches.csv row 2, field constituency_code: E14000634 is not a known " \
        "constituency" in message


def test_errors_in_one_file_stop_the_others_being_imported(db, tmp_path):
    postcodes = write(tmp_path, "postcodes.csv", "postcode,ward_code\nE4 0A,E05000593\n")

    refused(wards=DATA / "wards.csv", branches=DATA / "branches.csv", postcodes=postcodes)


def test_split_wards_go_to_the_first_constituency_unless_a_branch_says_otherwise(db,
                                                                                  tmp_path):
    wards = write(tmp_path, "wards.csv", WARDS_HEADER
                  + "E05009380,Lea Bridge,E14000720,Hackney North,E09000012,Hackney,London\n"
                  + "E05009380,Lea Bridge,E14000721,Hackney South,E09000012,Hackney,London\n"
                  + "E05009380,Lea Bridge,E14000721,Hackney South,E09000012,Hackney,London\n"
                  + "E05009381,London Fields,E14000720,Hackney North,E09000012,Hackney,London\n"
                  + "E05009381,London Fields,E14000721,Hackney South,E09000012,Hackney,London\n")
    branches = write(tmp_path, "branches.csv", BRANCHES_HEADER
                     + "HK-S,Hackney South,E14000721,E05009381,London Fields\n")

    report = geo_import(wards=wards, branches=branches)

    assert {"E05009380": "E14000720", "E05009381": "E14000721"} == dict(
        Ward.objects.values_list("code", "constituency__code"))
    assert "2 wards are listed under more than one constituency" in report.warnings[0]
    assert "row 4 (same as row 3)" in report.warnings[1]

    # Importing the wards again keeps London Fields where its branch is.
    geo_import(wards=wards)
    assert "E14000721" == Ward.objects.get(code="E05009381").constituency.code


def test_it_refuses_a_constituency_code_already_used_by_another_kind_of_body(db):
    Body.objects.create(kind=Body.Kind.BRANCH, name="Oops", code="E14000634")

    message = refused(wards=DATA / "wards.csv")

    assert "constituency Chingford and Woodford Green would have the code E14000634" in message
