"""After an open selection: nominations by bodies' meetings, the shortlist, hustings, ballot."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.elections.models import Election
from rankfile.meetings.services.calling import meeting_call
from rankfile.selections.models import Decision, Selection
from rankfile.selections.services.candidates import (
    applicant_add,
    ballot_create,
    hustings_add,
    nominations_close,
    selection_conclude,
    shortlist_decide,
    shortlist_publish,
)
from rankfile.selections.services.trigger import decision_link, selection_create
from rankfile.selections.tests.helpers import decided, make_affiliate, officer

pytestmark = pytest.mark.django_db
NOMINATE = "That this branch nominates {} for selection."


@pytest.fixture
def world(area):
    affiliate = make_affiliate(area)
    con_secretary = officer("con.secretary@example.org", "secretary", area.constituency)
    selection = selection_create(by=con_secretary, constituency=area.constituency,
                                 office="Councillor for Valley ward")
    return {"area": area, "affiliate": affiliate, "selection": selection,
            "con_secretary": con_secretary,
            "chn_secretary": officer("chn.secretary@example.org", "secretary", area.branch),
            "aff_secretary": officer("aff.secretary@example.org", "secretary", affiliate)}


def _nominate(w, key, body, applicant, *, carried=True):
    question = decided(body, w["area"], carried=carried, title="Nomination",
                       text=NOMINATE.format(applicant.name))
    return decision_link(by=w[key], selection=w["selection"], body=body, question=question,
                         purpose=Decision.Purpose.NOMINATION, applicant=applicant)


def test_a_selection_runs_from_nominations_to_the_members_ballot(world, returning_officer):
    w, area = world, world["area"]
    selection = w["selection"]
    ann = applicant_add(by=w["con_secretary"], selection=selection, name="Ann Able",
                        statement="Born in Chingford.")
    bob = applicant_add(by=w["con_secretary"], selection=selection, name="Bob Baker")
    cat = applicant_add(by=w["con_secretary"], selection=selection, name="Cat Cole")
    _nominate(w, "chn_secretary", area.branch, ann)
    _nominate(w, "aff_secretary", w["affiliate"], bob)
    nominations_close(by=w["con_secretary"], selection=selection)
    with pytest.raises(Refusal) as e:
        shortlist_decide(by=w["con_secretary"], applicant=cat, shortlisted=True,
                         reason="Strong interview")
    assert "not_nominated" == e.value.code
    shortlist_decide(by=w["con_secretary"], applicant=ann, shortlisted=True,
                     reason="Nominated by Chingford; eligible.")
    shortlist_decide(by=w["con_secretary"], applicant=bob, shortlisted=True,
                     reason="Nominated by Unite; eligible.")
    shortlist_publish(by=w["con_secretary"], selection=selection)
    hustings = meeting_call(by=w["con_secretary"], body=area.constituency, title="Hustings",
                            place="Town hall",
                            starts_at=timezone.now() + dt.timedelta(days=8)).meeting
    hustings_add(by=w["con_secretary"], selection=selection, meeting=hustings)

    election = ballot_create(by=returning_officer, selection=selection)

    selection.refresh_from_db()
    assert Selection.Stage.BALLOT == selection.stage
    assert area.constituency == election.body
    assert ["Ann Able", "Bob Baker"] == sorted(election.candidates.values_list("name", flat=True))

    Election.objects.filter(pk=election.pk).update(
        status=Election.Status.PUBLISHED,
        result_json=json.dumps({"candidates": ["Ann Able", "Bob Baker"], "elected": ["Bob Baker"]}))
    selection.refresh_from_db()
    selection_conclude(by=w["con_secretary"], selection=selection)
    selection.refresh_from_db()
    assert (Selection.Stage.SELECTED, "Bob Baker") == (selection.stage, selection.selected_name)


def test_a_lost_motion_nominates_no_one(world):
    ann = applicant_add(by=world["con_secretary"], selection=world["selection"], name="Ann Able")

    with pytest.raises(Refusal) as e:
        _nominate(world, "chn_secretary", world["area"].branch, ann, carried=False)

    assert "motion_lost" == e.value.code
    assert not Decision.objects.exists()


def test_a_body_nominates_once(world):
    ann = applicant_add(by=world["con_secretary"], selection=world["selection"], name="Ann Able")
    bob = applicant_add(by=world["con_secretary"], selection=world["selection"], name="Bob Baker")
    _nominate(world, "chn_secretary", world["area"].branch, ann)

    with pytest.raises(Conflict) as e:
        _nominate(world, "chn_secretary", world["area"].branch, bob)

    assert "already_decided" == e.value.code


def test_nominations_do_not_close_with_none(world):
    with pytest.raises(Conflict) as e:
        nominations_close(by=world["con_secretary"], selection=world["selection"])

    assert "no_nominations" == e.value.code


def test_a_shortlist_decision_needs_its_reason(world):
    ann = applicant_add(by=world["con_secretary"], selection=world["selection"], name="Ann Able")
    _nominate(world, "chn_secretary", world["area"].branch, ann)
    nominations_close(by=world["con_secretary"], selection=world["selection"])

    with pytest.raises(Refusal) as e:
        shortlist_decide(by=world["con_secretary"], applicant=ann, shortlisted=True, reason=" ")

    assert "reason" == e.value.field
    ann.refresh_from_db()
    assert ann.shortlisted is None


def test_hustings_are_meetings_of_the_constituency(world):
    w = world
    ann = applicant_add(by=w["con_secretary"], selection=w["selection"], name="Ann Able")
    _nominate(w, "chn_secretary", w["area"].branch, ann)
    nominations_close(by=w["con_secretary"], selection=w["selection"])
    branch_meeting = decided(w["area"].branch, w["area"], carried=True).meeting

    with pytest.raises(Refusal) as e:
        hustings_add(by=w["con_secretary"], selection=w["selection"], meeting=branch_meeting)

    assert "other_body" == e.value.code


def test_only_a_returning_officer_creates_the_ballot(world):
    w = world
    ann = applicant_add(by=w["con_secretary"], selection=w["selection"], name="Ann Able")
    _nominate(w, "chn_secretary", w["area"].branch, ann)
    nominations_close(by=w["con_secretary"], selection=w["selection"])
    shortlist_decide(by=w["con_secretary"], applicant=ann, shortlisted=True, reason="Eligible.")
    shortlist_publish(by=w["con_secretary"], selection=w["selection"])

    with pytest.raises(PermissionRefused):
        ballot_create(by=w["con_secretary"], selection=w["selection"])

    assert not Election.objects.exists()
    w["selection"].refresh_from_db()
    assert Selection.Stage.HUSTINGS == w["selection"].stage


def test_applicants_are_added_only_by_the_constituency(world):
    with pytest.raises(PermissionRefused):
        applicant_add(by=world["chn_secretary"], selection=world["selection"], name="Ann Able")
    with pytest.raises(Refusal) as e:
        applicant_add(by=world["con_secretary"], selection=world["selection"],
                      name="Ann\u202eAble")

    assert "control_characters" == e.value.code
