"""The demo's leadership election: open, and codes for its voters in a private file."""

import stat

import pytest
from django.core.management import call_command
from django.test import Client

from rankfile.elections.models import Ballot, Credential, Election
from rankfile.elections.services.credentials import code_hmac


@pytest.fixture
def codes_file(settings, tmp_path):
    settings.DEMO_CREDENTIALS_PATH = str(tmp_path / "demo-credentials.txt")
    return tmp_path / "demo-credentials.txt"


def test_it_opens_the_leadership_election_and_writes_working_codes(db, capsys, codes_file):
    call_command("load_demo", "--people", "200")

    out = capsys.readouterr().out
    assert "returning.officer@demo.rankfile.org" in out and "scrutineer@demo.rankfile.org" in out
    election = Election.objects.get(slug="leadership-2016")
    assert (Election.Status.OPEN, "irv", 4, 3) == (
        election.status, election.method, election.candidates.count(), len(election.sections))
    assert 0o600 == stat.S_IMODE(codes_file.stat().st_mode)
    codes = codes_file.read_text().splitlines()
    assert len(codes) == Credential.objects.filter(revoked_at__isnull=True).count() > 50
    assert {code_hmac(c) for c in codes} == set(
        Credential.objects.filter(revoked_at__isnull=True).values_list("code_hmac", flat=True))

    # Its candidates came through nominations, validated and published with them.
    public = Client().get("/elections/leadership-2016/nominations/").content.decode()
    assert all(name in public for name in ("Alex Rahman", "Bridget Owusu", "Chris Malley",
                                           "Dana Whitfield"))
    assert 4 == election.nominees.filter(valid=True, candidate__isnull=False).count()
    assert "9 members" in public and " for, " in public

    first = election.candidates.order_by("position")[0]
    response = Client().post("/api/elections/leadership-2016/ballots",
                             {"credential": codes[0], "ranking": [first.pk]},
                             content_type="application/json")
    assert 201 == response.status_code

    call_command("load_demo")

    fresh = codes_file.read_text().splitlines()
    assert len(codes) - 1 == len(fresh)  # the voter who voted gets no new code
    assert not set(codes) & set(fresh)
    assert 1 == Ballot.objects.filter(election=election).count()


def test_it_publishes_a_branch_committee_election_counted_with_a_womens_minimum(
        db, codes_file, tmp_path):
    import io
    import json
    from contextlib import redirect_stdout

    from rankfile.counting.cli import main as rankfile_count
    from rankfile.demo.elections import BRANCH_SLUG, BRANCH_WOMEN_MINIMUM

    call_command("load_demo", "--people", "200")
    call_command("load_demo")  # again: nothing added, nothing refused

    election = Election.objects.get(slug=BRANCH_SLUG)
    assert (Election.Status.PUBLISHED, "stv-scottish", 3, "apart") == (
        election.status, election.method, election.seats, election.trackers)
    result = json.loads(election.result_json)
    women = set(election.options["groups"]["women"])
    assert BRANCH_WOMEN_MINIMUM <= len(women & set(result["elected"]))
    assert 1 == Election.objects.filter(slug=BRANCH_SLUG).count()
    client = Client()
    page = client.get(f"/elections/{BRANCH_SLUG}/results/").content.decode()
    assert "apart from the ballots" in page and f"{BRANCH_SLUG}.groups.json" in page
    assert 200 == client.get(f"/elections/{BRANCH_SLUG}/declaration/").status_code
    trackers = client.get(f"/api/elections/{BRANCH_SLUG}/bulletin-trackers.txt")
    assert Ballot.objects.filter(election=election).count() == len(
        trackers.content.decode().splitlines()) > 0
    # The bulletin and the published groups file recount to the published result.
    blt = tmp_path / f"{BRANCH_SLUG}.blt"
    blt.write_bytes(client.get(f"/api/elections/{BRANCH_SLUG}/bulletin.blt").content)
    groups = tmp_path / f"{BRANCH_SLUG}.groups.json"
    groups.write_text(json.dumps({k: election.options[k] for k in ("groups", "minimum")}))
    out = io.StringIO()
    with redirect_stdout(out):
        assert 0 == rankfile_count(["count", str(blt), "--method", "stv-scottish", "--groups",
                                    str(groups), "--seed", "2016", "--format", "json"])
    assert result["elected"] == json.loads(out.getvalue())["elected"]
