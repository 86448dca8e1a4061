"""The nomination pages: nominate, consent, the desk, and the public list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rankfile.elections.models import BodyNomination, Candidate, NominationRules, Nominee
from rankfile.elections.tests.nomination_helpers import HOUR, make_people, ref


@pytest.fixture
def people(area):
    return make_people(area, 4)


def test_a_member_nominates_the_nominee_consents_and_the_list_is_published(
        client, chair, people, staff, returning_officer, area, _clock):
    client.force_login(people[0])
    r = client.post("/elections/chair/nominations/nominate/", {"reference": ref(people[1])})
    assert (302, "/elections/chair/nominations/nominate/") == (r.status_code, r.url)
    client.force_login(people[2])
    client.post("/elections/chair/nominations/nominate/", {"reference": ref(people[1])})
    client.force_login(people[1])
    assert "Your nominations in elections" in client.get("/me/").content.decode()
    assert "Chair" in client.get("/elections/nominations/mine/").content.decode()
    r = client.post("/elections/chair/nominations/consent/",
                    {"answer": "accept", "statement": "Open every branch meeting."})
    assert 302 == r.status_code
    client.force_login(staff)
    r = client.post("/elections/chair/manage/nominations/", {
        "action": "decision", "kind": "branch", "branch": area.branch.pk,
        "nominee": Nominee.objects.get().pk, "decided_on": timezone.localdate().isoformat(),
        "votes_for": "14", "votes_against": "2", "abstentions": "1",
        "record": "Chingford branch meeting, item 3"})
    assert 302 == r.status_code and 1 == BodyNomination.objects.count()
    _clock.move_to(chair.nominations_close_at + HOUR)
    client.force_login(returning_officer)
    page = client.get("/elections/chair/manage/nominations/").content.decode()
    assert "Threshold met: 2 members of 2 needed; 1 branch of 1 needed." in page
    r = client.post("/elections/chair/manage/nominations/", {"action": "confirm"})
    assert 302 == r.status_code
    assert ["First1 Surname1"] == [c.name for c in Candidate.objects.filter(election=chair)]

    client.logout()
    public = client.get("/elections/chair/nominations/").content.decode()

    assert "First1 Surname1" in public and "Open every branch meeting." in public
    assert "2 members" in public
    assert "Chingford (branch), on " in public and "14 for, 2 against, 1 abstention" in public
    assert "Chingford branch meeting, item 3" in public
    assert "First0" not in public and "First2" not in public  # nominators stay private


def test_bad_input_is_refused_where_the_eye_is(client, chair, people):
    client.force_login(people[0])
    r = client.post("/elections/chair/nominations/nominate/", {"reference": "RF-\x00X"})
    assert 400 == r.status_code and not Nominee.objects.exists()
    r = client.post("/elections/chair/nominations/nominate/", {"reference": "RF-NOBODY1"})
    assert 400 == r.status_code and "No member of Test Party in good standing" in \
        r.content.decode()
    client.post("/elections/chair/nominations/nominate/", {"reference": ref(people[1])})
    client.force_login(people[1])

    r = client.post("/elections/chair/nominations/consent/",
                    {"answer": "accept", "statement": "Vote \u202eme"})

    assert 400 == r.status_code and "invisible character" in r.content.decode()
    r = client.post("/elections/chair/nominations/consent/",
                    {"answer": "accept", "statement": "Vote \x00me"})
    assert 400 == r.status_code
    assert Nominee.Consent.PENDING == Nominee.objects.get().consent


def test_a_supporter_is_refused_nominating(client, chair, people, supporter):
    client.force_login(supporter)
    assert "Only members of Test Party in good standing can nominate." in client.get(
        "/elections/chair/nominations/nominate/").content.decode()

    r = client.post("/elections/chair/nominations/nominate/", {"reference": ref(people[1])})

    assert 403 == r.status_code and not Nominee.objects.exists()


def test_a_bad_decision_shows_its_error_at_the_field(client, chair, people, staff, area):
    client.force_login(people[0])
    client.post("/elections/chair/nominations/nominate/", {"reference": ref(people[1])})
    client.force_login(staff)

    r = client.post("/elections/chair/manage/nominations/", {
        "action": "decision", "kind": "branch", "branch": area.branch.pk,
        "nominee": Nominee.objects.get().pk, "decided_on": timezone.localdate().isoformat(),
        "votes_for": "2", "votes_against": "5", "abstentions": "0"})

    assert 400 == r.status_code
    assert "With 2 for and 5 against, the decision to nominate did not carry" in \
        r.content.decode()
    assert not BodyNomination.objects.exists()


def test_the_returning_officer_sets_the_rules_on_the_desk(client, chair, returning_officer,
                                                         scrutineer):
    now = timezone.localtime()
    data = {"action": "rules", "opens_at": (now - HOUR).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "members_share": "5", "branches_number": "2", "combine": "all",
            "statement_order": "random", "statement_max_length": "500"}
    client.force_login(scrutineer)
    assert 200 == client.get("/elections/chair/manage/nominations/").status_code
    assert 403 == client.post("/elections/chair/manage/nominations/", data).status_code
    client.force_login(returning_officer)

    r = client.post("/elections/chair/manage/nominations/", {**data, "members_share": "150"})
    assert 400 == r.status_code and "Write a percentage of at most 100." in r.content.decode()
    r = client.post("/elections/chair/manage/nominations/", data)

    assert 302 == r.status_code
    rules = NominationRules.objects.get(election=chair)
    assert ("5.00", 2, "all", "random", 500) == (
        str(rules.members_share), rules.branches_number, rules.combine, rules.statement_order,
        rules.statement_max_length)


def test_a_member_cannot_reach_the_desk(client, chair, people):
    client.force_login(people[0])

    assert 403 == client.get("/elections/chair/manage/nominations/").status_code


@pytest.mark.parametrize("url", ["/elections/chair/nominations/", "/elections/nominations/mine/"])
def test_read_only_pages_refuse_a_post(client, chair, people, url):
    client.force_login(people[0])

    assert 405 == client.post(url).status_code
