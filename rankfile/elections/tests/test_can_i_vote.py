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


def test_a_voter_asks_for_a_new_code_and_the_old_one_stops(client, open_election, member):
    from rankfile.elections.models import Credential
    from rankfile.elections.tests.helpers import code_for
    from rankfile.outbox.models import OutboxMessage

    old = code_for(open_election, member)
    client.force_login(member)

    response = client.post(f"/elections/{open_election.slug}/can-i-vote/")

    assert 302 == response.status_code
    assert "a new voting code is on its way to the address on the roll" in client.get(
        response["Location"]).content.decode()
    assert [member.email] == list(OutboxMessage.objects.filter(
        purpose="election_credential").values_list("to", flat=True))
    live = Credential.objects.get(revoked_at__isnull=True)
    from rankfile.elections.services.credentials import code_hmac

    assert code_hmac(old) != live.code_hmac


def test_asking_for_codes_is_rate_limited_with_the_same_answer(client, open_election, member):
    from rankfile.outbox.models import OutboxMessage

    client.force_login(member)
    for _ in range(5):
        response = client.post(f"/elections/{open_election.slug}/can-i-vote/")

    assert "You can ask 3 times an hour" in client.get(response["Location"]).content.decode()
    assert 3 == OutboxMessage.objects.count()


def test_someone_off_the_roll_gets_no_code(client, open_election, outsider):
    from rankfile.outbox.models import OutboxMessage

    client.force_login(outsider)
    response = client.post(f"/elections/{open_election.slug}/can-i-vote/")

    assert "If you are on the roll and have not voted" in client.get(
        response["Location"]).content.decode()
    assert 0 == OutboxMessage.objects.count()
