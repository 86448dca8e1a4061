"""Close, count, compare, publish; anyone recounts the bulletin to the same result."""

import hashlib
import io
import json
from contextlib import redirect_stdout

import pytest

from rankfile.core.errors import Conflict, PermissionRefused
from rankfile.counting.cli import main as rankfile_count
from rankfile.demo.personas import make_member
from rankfile.elections.models import Ballot, Election
from rankfile.elections.services.casting import ballot_cast_as_voter
from rankfile.elections.services.count import election_count, election_publish, reconciliation
from rankfile.elections.services.roll import current_roll
from rankfile.elections.services.setup import election_close
from rankfile.elections.tests.helpers import ids, make_election, open_it


@pytest.fixture
def voted(area, election, returning_officer, member, supporter):
    """Seven voters (the member persona, the supporter and five more) have voted:
    Ann 3 first preferences, Bea 3, Cal 1; Cal's goes to Bea, who wins."""
    others = [make_member(f"v{i}@example.org", "Vo", f"Ter{i}", area.branch) for i in range(5)]
    open_it(election, returning_officer)
    a, b, c = ids(election)
    rankings = [[a], [a], [a, c], [b], [b, a], [b], [c, b]]
    for voter, ranking in zip([member, supporter, *others], rankings, strict=True):
        ballot_cast_as_voter(election=election, voter=voter, ranking=ranking)
    election_close(by=returning_officer, election=election)
    return election


def test_it_counts_overall_and_per_section(voted, returning_officer):
    election = election_count(by=returning_officer, election=voted)

    result = json.loads(election.result_json)
    assert ["Bea Baker"] == result["elected"]
    assert 7 == result["valid_ballots"]
    assert 6 == election.section_results["member"]["valid_ballots"]
    assert ["Ann Archer"] == election.section_results["registered_supporter"]["elected"]
    assert election.section_results["affiliated_supporter"] is None
    assert "<h1>" in election.declaration_html


def test_the_bulletin_recounts_to_the_published_result(voted, returning_officer, tmp_path):
    election = election_publish(by=returning_officer,
                                election=election_count(by=returning_officer, election=voted))
    blt = tmp_path / "leader.blt"
    blt.write_text(election.bulletin_blt)
    out = io.StringIO()

    with redirect_stdout(out):
        assert 0 == rankfile_count(["count", str(blt), "--method", "irv", "--format", "json"])

    recount, published = json.loads(out.getvalue()), json.loads(election.result_json)
    assert published["elected"] == recount["elected"]
    assert published["rounds"] == recount["rounds"]
    assert hashlib.sha256(blt.read_bytes()).hexdigest() == election.bulletin_blt_sha256


def test_the_csv_bulletin_lists_every_tracker_once(voted, returning_officer):
    election = election_count(by=returning_officer, election=voted)

    rows = election.bulletin_csv.splitlines()[1:]
    assert sorted(Ballot.objects.values_list("tracker", flat=True)) == [r.split(",")[0]
                                                                        for r in rows]


def test_publication_is_refused_while_the_roll_and_the_box_disagree(voted, returning_officer):
    election = election_count(by=returning_officer, election=voted)
    # A voter marked as voted whose ballot is not in the box (or a test ballot too many).
    Ballot.objects.filter(pk=Ballot.objects.order_by("tracker")[0].pk).delete()

    with pytest.raises(Conflict, match="disagree"):
        election_publish(by=returning_officer, election=election)

    election.refresh_from_db()
    assert Election.Status.CLOSED == election.status
    assert not all(line.agrees for line in reconciliation(by=returning_officer,
                                                          election=election))


def test_publication_is_refused_when_the_box_changed_after_the_count(voted, returning_officer):
    election = election_count(by=returning_officer, election=voted)
    Ballot.objects.create(election=election, section="member", ranking=ids(election)[:1],
                          tracker="TEST-TEST-TEST-TEST", cast_on=voted.created_at.date())
    current_roll(election).filter(voted_on__isnull=True).update(voted_on=voted.created_at.date())

    with pytest.raises(Conflict, match="disagree"):
        election_publish(by=returning_officer, election=election)


@pytest.mark.parametrize("who", ["scrutineer", "staff", "member"])
def test_only_the_returning_officer_closes_counts_and_publishes(voted, request, who):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionRefused):
        election_count(by=person, election=voted)
    with pytest.raises(PermissionRefused):
        election_publish(by=person, election=voted)


def test_it_refuses_to_count_an_open_box(area, returning_officer, member):
    election = open_it(make_election(area, returning_officer), returning_officer)

    with pytest.raises(Conflict, match="Close the ballot"):
        election_count(by=returning_officer, election=election)


@pytest.fixture
def apart(area, election, returning_officer, member, supporter):
    """As ``voted``, with trackers listed apart from the ballots."""
    from rankfile.elections.services.setup import election_set_trackers

    election_set_trackers(by=returning_officer, election=election, trackers="apart")
    others = [make_member(f"w{i}@example.org", "Wo", f"Ter{i}", area.branch) for i in range(5)]
    open_it(election, returning_officer)
    a, b, c = ids(election)
    rankings = [[a], [a], [a, c], [b], [b, a], [b], [c, b]]
    for voter, ranking in zip([member, supporter, *others], rankings, strict=True):
        ballot_cast_as_voter(election=election, voter=voter, ranking=ranking)
    election_close(by=returning_officer, election=election)
    return election_count(by=returning_officer, election=election)


def test_with_trackers_apart_the_csv_has_none_and_they_are_listed_by_value(apart):
    trackers = sorted(Ballot.objects.values_list("tracker", flat=True))

    rows = apart.bulletin_csv.splitlines()
    assert ["section,ranking"] == rows[:1]
    assert not any(t in apart.bulletin_csv for t in trackers)
    assert rows[1:] == sorted(rows[1:])  # by content: a row's place says nothing
    assert trackers == apart.bulletin_trackers.splitlines()
    assert hashlib.sha256(apart.bulletin_trackers.encode()).hexdigest() == (
        apart.bulletin_trackers_sha256)


def test_with_trackers_apart_the_bulletin_still_recounts_to_the_result(apart,
                                                                      returning_officer,
                                                                      tmp_path):
    election = election_publish(by=returning_officer, election=apart)
    blt = tmp_path / "leader.blt"
    blt.write_text(election.bulletin_blt)
    out = io.StringIO()

    with redirect_stdout(out):
        assert 0 == rankfile_count(["count", str(blt), "--method", "irv", "--format", "json"])

    assert json.loads(election.result_json)["rounds"] == json.loads(out.getvalue())["rounds"]


def test_the_trackers_downloads_follow_the_choice(client, apart, returning_officer):
    apart_url = f"/api/elections/{apart.slug}/bulletin-trackers.txt"
    election_publish(by=returning_officer, election=apart)

    got = client.get(apart_url)

    assert 200 == got.status_code
    assert got.content.decode() == Election.objects.get(pk=apart.pk).bulletin_trackers
    assert got["X-Content-SHA256"] == Election.objects.get(pk=apart.pk).bulletin_trackers_sha256
    page = client.get(f"/elections/{apart.slug}/results/").content.decode()
    assert "apart from the ballots" in page and "bulletin-trackers.txt" in page


def test_trackers_are_chosen_before_the_ballot_opens_by_the_returning_officer(
        area, election, returning_officer, scrutineer):
    from rankfile.core.errors import Refusal
    from rankfile.elections.services.setup import election_set_trackers

    with pytest.raises(PermissionRefused):
        election_set_trackers(by=scrutineer, election=election, trackers="apart")
    with pytest.raises(Refusal, match="beside their rankings or listed apart"):
        election_set_trackers(by=returning_officer, election=election, trackers="sideways")
    open_it(election, returning_officer)
    with pytest.raises(Conflict, match="before the ballot opens"):
        election_set_trackers(by=returning_officer, election=election, trackers="apart")

    assert Election.Trackers.BESIDE == Election.objects.get(pk=election.pk).trackers


def test_with_trackers_beside_there_is_no_separate_list(client, voted, returning_officer):
    election = election_publish(by=returning_officer,
                                election=election_count(by=returning_officer, election=voted))

    assert 404 == client.get(f"/api/elections/{election.slug}/bulletin-trackers.txt").status_code
    assert "" == election.bulletin_trackers
    page = client.get(f"/elections/{election.slug}/results/").content.decode()
    assert "beside its ballot" in page
