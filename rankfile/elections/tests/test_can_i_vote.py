"""The "Can I vote?" page: a member sees their own answer and its reason."""

from rankfile.elections.services.roll import roll_evaluate, roll_rules_set
from rankfile.elections.tests.helpers import rules_for


def test_it_shows_a_member_their_reason(client, election, returning_officer, member):
    roll_rules_set(by=returning_officer, election=election, rules=rules_for(min_age=99))
    roll_evaluate(by=returning_officer, election=election)
    client.force_login(member)

    response = client.get(f"/elections/{election.slug}/can-i-vote/")

    assert 200 == response.status_code
    assert "You must be 99 or older" in response.content.decode()


def test_it_sends_a_visitor_to_log_in(client, election):
    response = client.get(f"/elections/{election.slug}/can-i-vote/")

    assert 302 == response.status_code
    assert response["Location"].startswith("/accounts/login/")


def test_it_answers_405_to_a_post(client, election, member):
    client.force_login(member)

    assert 405 == client.post(f"/elections/{election.slug}/can-i-vote/").status_code
