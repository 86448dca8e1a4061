"""``rankfile import_geo``: the geography import with members following their wards."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Ward, WardPlacement
from rankfile.branches.tests.helpers import placed
from rankfile.branches.tests.test_importing import DATA, SINCE, import_shipped, write
from rankfile.core.actors import SYSTEM
from rankfile.membership.models import BranchChange, Category, Membership
from rankfile.membership.services.boundaries import geo_import_with_members


def test_the_command_prints_counts_per_kind(db, capsys):
    call_command("import_geo", "--wards", str(DATA / "wards.csv"),
                 "--branches", str(DATA / "branches.csv"))

    out = capsys.readouterr().out
    assert "wards: 20 created, 0 updated, 0 unchanged" in out
    assert "branches: 7 created" in out


def make_member(ward_code: str) -> Membership:
    ward = Ward.objects.get(code=ward_code)
    branch = WardPlacement.objects.get(ward=ward, valid_to=None).branch
    category, _ = Category.objects.get_or_create(kind=Category.Kind.MEMBER, name="Member")
    now = timezone.now()
    return Membership.objects.create(
        reference=f"RF-T{Membership.objects.count():06d}",
        user=User.objects.create_user(f"m{Membership.objects.count()}@example.org"),
        category=category, first_name="Ada", last_name="Member", date_of_birth=dt.date(1980, 1, 1),
        postcode="E4 0AW", ward=ward, branch=branch, constituency=ward.constituency,
        applied_at=now, consent_version="2026-11", consent_at=now,
    )


def test_a_ward_moved_to_another_branch_is_a_boundary_change(db, tmp_path):
    import_shipped()
    mover = make_member("E05000607")  # Valley, in Chingford
    stayer = make_member("E05000593")  # Chingford Green, stays in Chingford
    changed = (DATA / "branches.csv").read_text().replace(
        "WF-CHN,Chingford,E14000634,E05000607,Valley",
        "WF-HPH,Highams Park and Hale End,E14000634,E05000607,Valley")
    effective = dt.date(2017, 5, 4)

    report = geo_import_with_members(branches=write(tmp_path, "branches.csv", changed),
                                     effective_from=effective, by=SYSTEM)

    valley = Ward.objects.get(code="E05000607")
    history = list(WardPlacement.objects.filter(ward=valley).values_list(
        "branch__code", "valid_from", "valid_to"))
    assert [("WF-CHN", SINCE, dt.date(2017, 5, 3)), ("WF-HPH", effective, None)] == history
    assert (1, 1) == (report.placements_closed, report.members_moved)
    mover.refresh_from_db()
    stayer.refresh_from_db()
    assert ("WF-HPH", "WF-CHN") == (mover.branch and mover.branch.code,
                                    stayer.branch and stayer.branch.code)
    change = BranchChange.objects.get()
    assert (mover, "WF-CHN", "WF-HPH", "Boundary change effective 4 May 2017") == (
        change.membership, change.from_branch and change.from_branch.code,
        change.to_branch and change.to_branch.code, change.reason)
    before = placed("E4 6AA", on=dt.date(2016, 1, 1)).branch
    assert before is not None and "WF-CHN" == before.code

    # Running the changed file again is a no-op.
    again = geo_import_with_members(branches=write(tmp_path, "branches.csv", changed),
                                    effective_from=effective, by=SYSTEM)
    assert (0, 0, 20) == (again.placements_closed, again.members_moved,
                          again.tallies["ward placements"].unchanged)


def test_the_command_lists_errors_capped_and_fails(db, tmp_path):
    rows = "".join(f"NOPE{i},E05000593\n" for i in range(60))
    postcodes = write(tmp_path, "postcodes.csv", "postcode,ward_code\n" + rows)

    with pytest.raises(CommandError) as e:
        call_command("import_geo", "--wards", str(DATA / "wards.csv"),
                     "--postcodes", str(postcodes))

    lines = str(e.value).splitlines()
    assert "postcodes.csv row 2, field postcode: ‘NOPE0’ is not a UK postcode." == lines[1]
    assert "… and 10 more." == lines[-1]
    assert not Ward.objects.exists()


def test_the_command_exits_with_status_1_on_errors(db, tmp_path, capsys):
    from rankfile.membership.management.commands.import_geo import Command

    postcodes = write(tmp_path, "postcodes.csv", "postcode,ward_code\nE4 0A,E05000593\n")

    with pytest.raises(SystemExit) as e:
        Command().run_from_argv(["rankfile", "import_geo", "--postcodes", str(postcodes)])

    assert 1 == e.value.code
    err = capsys.readouterr().err
    assert "postcodes.csv row 2, field postcode: ‘E4 0A’ is not a UK postcode." in err
    assert "Traceback" not in err


def test_the_command_acts_as_a_named_staff_member(area, staff, tmp_path):
    import_shipped()
    mover = make_member("E05000607")
    changed = (DATA / "branches.csv").read_text().replace(
        "WF-CHN,Chingford,E14000634,E05000607,Valley",
        "WF-HPH,Highams Park and Hale End,E14000634,E05000607,Valley")

    call_command("import_geo", "--branches", str(write(tmp_path, "branches.csv", changed)),
                 "--as", "STAFF@example.org")

    assert (mover, staff) == (BranchChange.objects.get().membership, BranchChange.objects.get().by)


def test_the_command_refuses_to_act_as_someone_who_may_not(outsider, tmp_path):
    with pytest.raises(CommandError) as e:
        call_command("import_geo", "--wards", str(DATA / "wards.csv"), "--as", outsider.email)

    assert "Only membership staff" in str(e.value)
    assert not Ward.objects.exists()


def test_the_command_refuses_an_unknown_login(db):
    with pytest.raises(CommandError) as e:
        call_command("import_geo", "--wards", str(DATA / "wards.csv"), "--as", "nobody@x.org")

    assert "No login has the e-mail address nobody@x.org." == str(e.value)
    assert not Ward.objects.exists()
