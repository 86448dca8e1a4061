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
    assert "That is enough for an open selection" in text


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


def test_the_officers_run_nominations_to_the_ballot_from_their_page(client, area,
                                                                    returning_officer):
    import datetime as dt

    from rankfile.meetings.services.calling import meeting_call
    from rankfile.selections.services.trigger import selection_create

    con_secretary = officer("con.secretary@example.org", "secretary", area.constituency)
    chn_secretary = officer("chn.secretary@example.org", "secretary", area.branch)
    selection = selection_create(by=con_secretary, constituency=area.constituency,
                                 office="Councillor for Valley ward")
    manage = reverse("selections:manage", args=[selection.slug])
    client.force_login(con_secretary)
    assert 302 == client.post(manage, {"action": "applicant", "name": "Ann Able",
                                       "statement": "Born here."}).status_code
    refused = client.post(manage, {"action": "applicant", "name": "Ann Able"})
    assert 400 == refused.status_code and "an applicant already" in refused.content.decode()
    ann = selection.applicants.get()

    question = decided(area.branch, area, carried=True, title="Nomination",
                       text="That this branch nominates Ann Able.")
    client.force_login(chn_secretary)
    decide = reverse("selections:decide", args=[selection.slug, area.branch.code])
    missing = client.post(decide, {"question": question.pk})
    assert 400 == missing.status_code
    assert "Choose whom the motion nominates." in missing.content.decode()
    assert 302 == client.post(decide, {"question": question.pk,
                                       "applicant": ann.pk}).status_code

    client.force_login(con_secretary)
    client.post(manage, {"action": "close"})
    no_reason = client.post(manage, {"action": "shortlist", "applicant": ann.pk,
                                     "shortlisted": "yes", "reason": ""})
    assert 400 == no_reason.status_code and "Give the reason." in no_reason.content.decode()
    client.post(manage, {"action": "shortlist", "applicant": ann.pk, "shortlisted": "yes",
                         "reason": "Nominated by Chingford; eligible."})
    client.post(manage, {"action": "publish"})
    hustings = meeting_call(by=con_secretary, body=area.constituency, title="Hustings",
                            place="Town hall",
                            starts_at=timezone.now() + dt.timedelta(days=8)).meeting
    client.post(manage, {"action": "hustings", "meeting": hustings.pk})
    not_officer = client.post(manage, {"action": "ballot"}, follow=True)
    assert "returning officer" in not_officer.content.decode()

    client.force_login(returning_officer)
    made = client.post(manage, {"action": "ballot"})

    selection.refresh_from_db()
    assert 302 == made.status_code
    assert Selection.Stage.BALLOT == selection.stage
    assert selection.election is not None
    assert ["Ann Able"] == list(selection.election.candidates.values_list("name", flat=True))
    assert [hustings.pk] == list(selection.hustings.values_list("meeting_id", flat=True))
    page = client.get(selection.get_absolute_url()).content.decode()
    assert "shortlisted" in page and "Hustings" in page and selection.election.title in page


def test_an_affiliates_delegates_vote_at_its_meetings(area):
    from rankfile.meetings.models import Attendance
    from rankfile.meetings.services.door import attendee_check_in
    from rankfile.membership.models import Membership

    affiliate = make_affiliate(area)
    question = decided(affiliate, area, carried=True)
    delegate = Membership.objects.get(user__email=f"{affiliate.code.lower()}-1@example.org")
    chair = question.meeting.body.roles.get(kind="chair").user

    attendee_check_in(by=chair, meeting=question.meeting, reference=delegate.reference)

    assert Attendance.Standing.VOTING == Attendance.objects.get(membership=delegate).standing
