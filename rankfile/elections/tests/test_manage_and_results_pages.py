"""The returning officer runs an election from its page; scrutineers watch; everyone
reads the published result and downloads the bulletin."""

import json

import pytest

from rankfile.elections.models import Election
from rankfile.elections.services.casting import ballot_cast_as_voter
from rankfile.elections.tests.helpers import ids, rules_for


def act(client, election, action, **data):
    return client.post(f"/elections/{election.slug}/manage/", {"action": action, **data})


def test_the_returning_officer_runs_an_election_to_its_published_result(
        client, election, returning_officer, member, supporter):
    client.force_login(returning_officer)
    assert 302 == act(client, election, "rules", rules=json.dumps(rules_for())).status_code
    for action in ("evaluate", "freeze", "open"):
        act(client, election, action)
    election.refresh_from_db()
    assert Election.Status.OPEN == election.status
    ballot_cast_as_voter(election=election, voter=member, ranking=ids(election)[1:2])
    for action in ("close", "count", "publish"):
        act(client, election, action)
    election.refresh_from_db()
    assert Election.Status.PUBLISHED == election.status

    page = client.get(f"/elections/{election.slug}/results/").content.decode()
    blt = client.get(f"/api/elections/{election.slug}/bulletin.blt")
    csv = client.get(f"/api/elections/{election.slug}/bulletin.csv")
    result = client.get(f"/api/elections/{election.slug}/results").json()
    declaration = client.get(f"/elections/{election.slug}/declaration/")

    assert "Bea Baker" in page and election.bulletin_blt_sha256 in page
    assert election.bulletin_blt == blt.content.decode()
    assert election.bulletin_csv_sha256 == csv["X-Content-SHA256"]
    assert ["Bea Baker"] == result["elected"]
    assert election.declaration_html == declaration.content.decode()


def test_a_refused_step_says_why(client, election, returning_officer):
    client.force_login(returning_officer)

    response = act(client, election, "open")
    page = client.get(response["Location"]).content.decode()

    assert "Write the eligibility rules" in page


def test_bad_rules_are_refused_with_the_rule_named(client, election, returning_officer):
    client.force_login(returning_officer)

    response = act(client, election, "rules", rules='{"categories": ["guest"]}')

    assert "categories must list" in client.get(response["Location"]).content.decode()
    assert not election.rule_sets.exists()


def test_a_scrutineer_watches_but_cannot_act(client, open_election, scrutineer):
    client.force_login(scrutineer)

    page = client.get(f"/elections/{open_election.slug}/manage/")
    refused = act(client, open_election, "close")

    assert 200 == page.status_code
    assert "Close the ballot" not in page.content.decode()
    assert 403 == refused.status_code
    open_election.refresh_from_db()
    assert Election.Status.OPEN == open_election.status


@pytest.mark.parametrize("who", ["staff", "member"])
def test_nobody_else_sees_the_page(client, open_election, request, who):
    client.force_login(request.getfixturevalue(who))

    assert 403 == client.get(f"/elections/{open_election.slug}/manage/").status_code


def test_a_scrutineer_cannot_read_the_bulletin_before_publication(client, open_election,
                                                                 scrutineer):
    client.force_login(scrutineer)

    assert 404 == client.get(f"/api/elections/{open_election.slug}/bulletin.csv").status_code
    assert 404 == client.get(f"/elections/{open_election.slug}/results/").status_code


def test_everyone_gets_a_link_to_the_elections_once(client, election, returning_officer,
                                                    scrutineer, member):
    from django.contrib.auth.models import AnonymousUser

    from rankfile.front.navigation import navigation_for

    for user in (AnonymousUser(), member, returning_officer, scrutineer):
        nav = navigation_for(user)
        links = [(link.label, link.url) for link in nav.main + nav.work]
        assert 1 == links.count(("Elections", "/elections/")), user


def test_the_officers_check_the_bulletin_between_the_count_and_publication(
        client, open_election, returning_officer, scrutineer, member):
    from rankfile.elections.services.count import election_count
    from rankfile.elections.services.setup import election_close

    ballot_cast_as_voter(election=open_election, voter=member, ranking=ids(open_election)[:1])
    election_close(by=returning_officer, election=open_election)
    election_count(by=returning_officer, election=open_election)
    url = f"/api/elections/{open_election.slug}/bulletin.csv"

    assert 404 == client.get(url).status_code  # not yet for the public
    client.force_login(member)
    assert 404 == client.get(url).status_code
    client.force_login(scrutineer)
    assert 200 == client.get(url).status_code



def test_running_an_election_needs_two_factor_like_the_staff_pages(client, election,
                                                                    returning_officer):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=returning_officer).delete()  # never set it up
    client.force_login(returning_officer)

    r = client.get(f"/elections/{election.slug}/manage/")

    assert (302, "/accounts/2fa/totp/activate/") == (r.status_code, r.url)
    assert 200 == client.get(f"/elections/{election.slug}/").status_code  # public pages stay


def test_the_returning_officer_chooses_trackers_apart_on_the_page(client, election,
                                                                  returning_officer):
    client.force_login(returning_officer)
    url = f"/elections/{election.slug}/manage/"

    page = client.post(url, {"action": "trackers", "trackers": "apart"}, follow=True)

    assert "listed apart from the ballots" in page.content.decode()
    election.refresh_from_db()
    assert "apart" == election.trackers
    refused = client.post(url, {"action": "trackers", "trackers": "sideways"}, follow=True)
    assert "Choose how the bulletin shows trackers." in refused.content.decode()
    election.refresh_from_db()
    assert "apart" == election.trackers
