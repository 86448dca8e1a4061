"""The selections pages: the public record, a secretary linking a decision, the officers'."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from rankfile.selections.models import Decision, Selection
from rankfile.selections.tests.helpers import decided, make_affiliate, officer, start_trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(area):
    affiliate = make_affiliate(area)
    con_secretary = officer("con.secretary@example.org", "secretary", area.constituency)
    return {"area": area, "affiliate": affiliate, "con_secretary": con_secretary,
            "selection": start_trigger(area, con_secretary),
            "chn_secretary": officer("chn.secretary@example.org", "secretary", area.branch)}


def test_the_public_page_lists_every_body_and_its_decision(client, world):
    area = world["area"]
    question = decided(area.branch, area, carried=True, figures=(17, 4, 2))
    Decision.objects.create(selection=world["selection"], purpose="trigger", body=area.branch,
                            question=question, linked_at=timezone.now())

    page = client.get(reverse("selections:detail", args=[world["selection"].slug]))

    text = page.content.decode()
    assert 200 == page.status_code
    assert "Chingford" in text and "<strong>Yes</strong>" in text
    assert '<td class="num">17</td><td class="num">4</td><td class="num">2</td>' in text
    assert "Show of hands" in text
    assert text.count("Not decided yet") == 2  # Highams Park and the affiliate
    assert "1 of 2 branches" in text


def test_a_secretary_links_the_decision_from_the_page(client, world):
    area = world["area"]
    question = decided(area.branch, area, carried=False)
    client.force_login(world["chn_secretary"])
    url = reverse("selections:decide", args=[world["selection"].slug, area.branch.code])

    shown = client.get(url)
    done = client.post(url, {"question": question.pk})

    assert 200 == shown.status_code and "Open selection" in shown.content.decode()
    assert 302 == done.status_code
    assert Decision.objects.get().question == question


def test_a_vote_of_another_bodys_meeting_is_refused_on_the_page(client, world):
    area = world["area"]
    theirs = decided(area.other_branch, area, carried=True)
    decided(area.branch, area, carried=True)
    client.force_login(world["chn_secretary"])
    url = reverse("selections:decide", args=[world["selection"].slug, area.branch.code])

    answer = client.post(url, {"question": theirs.pk})

    assert 400 == answer.status_code
    assert "Choose one of your meeting" in answer.content.decode()
    assert not Decision.objects.exists()


def test_another_bodys_secretary_cannot_open_the_page(client, world, other_secretary):
    client.force_login(other_secretary)
    url = reverse("selections:decide", args=[world["selection"].slug, world["area"].branch.code])

    assert 404 == client.get(url).status_code


def test_the_constituency_secretary_starts_a_selection_with_bad_thresholds_refused(client, world):
    client.force_login(world["con_secretary"])
    url = reverse("selections:new", args=[world["area"].constituency.code])

    refused = client.post(url, {"office": "Mayor", "branch_threshold": "3/2",
                                "affiliate_threshold": "1/3"})
    made = client.post(url, {"office": "Councillor for Endlebury", "branch_threshold": "1/3",
                             "affiliate_threshold": "1/3"})

    assert 400 == refused.status_code
    assert "at most 1" in refused.content.decode()
    assert 302 == made.status_code
    assert Selection.objects.filter(office="Councillor for Endlebury").exists()


def test_hostile_input_is_a_4xx(client, world):
    client.force_login(world["con_secretary"])

    assert client.get("/selections/nope%00/").status_code in (400, 404)
    assert 404 == client.get(reverse("selections:new", args=["E14\u202e"])).status_code
    answer = client.post(reverse("selections:new", args=[world["area"].constituency.code]),
                         {"office": "Mayor\u202e", "branch_threshold": "1/3",
                          "affiliate_threshold": "1/3"})
    assert 400 == answer.status_code


def test_the_officers_page_applies_the_rules_only_when_due(client, world):
    client.force_login(world["con_secretary"])
    url = reverse("selections:manage", args=[world["selection"].slug])

    page = client.get(url)
    answer = client.post(url, {"action": "conclude"}, follow=True)

    assert 200 == page.status_code
    assert "have not decided yet" in answer.content.decode()
    world["selection"].refresh_from_db()
    assert "" == world["selection"].outcome


def test_a_member_cannot_open_the_officers_page(client, world, member):
    client.force_login(member)

    assert 404 == client.get(reverse("selections:manage",
                                     args=[world["selection"].slug])).status_code
