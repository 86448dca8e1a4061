"""The trigger ballot: decisions read from bodies' meeting records, thresholds applied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rankfile.core.actors import System
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.selections.models import Decision, Selection
from rankfile.selections.services.trigger import (
    decision_link,
    selection_create,
    trigger_conclude,
    triggers_conclude_due,
)
from rankfile.selections.tests.helpers import (
    decided,
    make_affiliate,
    officer,
    put_motion,
    sponsors,
    start_trigger,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(area):
    affiliate = make_affiliate(area)
    return {
        "area": area, "affiliate": affiliate,
        "con_secretary": officer("con.secretary@example.org", "secretary", area.constituency),
        "chn_secretary": officer("chn.secretary@example.org", "secretary", area.branch),
        "hph_secretary": officer("hph.secretary@example.org", "secretary", area.other_branch),
        "aff_secretary": officer("aff.secretary@example.org", "secretary", affiliate),
    }


def _link(w, key, body, question):
    return decision_link(by=w[key], selection=w["selection"], body=body, question=question)


def test_it_triggers_an_open_selection_when_a_third_of_branches_say_yes(world):
    area = world["area"]
    world["selection"] = selection = start_trigger(area, world["con_secretary"])
    _link(world, "chn_secretary", area.branch, decided(area.branch, area, carried=True))
    _link(world, "hph_secretary", area.other_branch, decided(area.other_branch, area,
                                                            carried=False))
    selection.refresh_from_db()
    assert selection.outcome == ""  # the affiliate has not decided

    _link(world, "aff_secretary", world["affiliate"], decided(world["affiliate"], area,
                                                             carried=False))

    selection.refresh_from_db()
    assert Selection.Outcome.OPEN == selection.outcome
    assert Selection.Stage.NOMINATIONS == selection.stage
    assert (1, 2, 0, 1) == (selection.branches_yes, selection.branches_total,
                            selection.affiliates_yes, selection.affiliates_total)


def test_it_reselects_the_representative_when_too_few_say_yes(world):
    area = world["area"]
    world["selection"] = selection = start_trigger(area, world["con_secretary"],
                                                   branch_threshold="2/3")
    _link(world, "chn_secretary", area.branch, decided(area.branch, area, carried=True))
    _link(world, "hph_secretary", area.other_branch, decided(area.other_branch, area,
                                                            carried=False))
    _link(world, "aff_secretary", world["affiliate"], decided(world["affiliate"], area,
                                                             carried=False))

    selection.refresh_from_db()
    assert Selection.Outcome.RESELECTED == selection.outcome
    assert Selection.Stage.SELECTED == selection.stage
    assert "Pat Sitting" == selection.selected_name


def test_affiliates_alone_can_trigger_an_open_selection(world):
    area = world["area"]
    world["selection"] = selection = start_trigger(area, world["con_secretary"])
    _link(world, "chn_secretary", area.branch, decided(area.branch, area, carried=False))
    _link(world, "hph_secretary", area.other_branch, decided(area.other_branch, area,
                                                            carried=False))
    _link(world, "aff_secretary", world["affiliate"], decided(world["affiliate"], area,
                                                             carried=True))

    selection.refresh_from_db()
    assert Selection.Outcome.OPEN == selection.outcome


def test_the_decision_reads_its_figures_from_the_meeting_record(world):
    area = world["area"]
    world["selection"] = start_trigger(area, world["con_secretary"])
    question = decided(area.branch, area, carried=True, figures=(21, 7, 3))

    decision = _link(world, "chn_secretary", area.branch, question)

    assert (21, 7, 3, True, "hands") == (
        decision.question.votes_for, decision.question.votes_against,
        decision.question.abstentions, decision.question.carried, decision.question.method)


def test_it_refuses_a_vote_from_another_bodys_meeting(world):
    area = world["area"]
    world["selection"] = start_trigger(area, world["con_secretary"])
    theirs = decided(area.other_branch, area, carried=True)

    with pytest.raises(Refusal) as e:
        _link(world, "chn_secretary", area.branch, theirs)

    assert "other_body" == e.value.code
    assert not Decision.objects.exists()


def test_it_refuses_a_motion_not_yet_voted(world):
    area = world["area"]
    world["selection"] = start_trigger(area, world["con_secretary"])
    open_question = put_motion(area.branch, area)

    with pytest.raises(Conflict) as e:
        _link(world, "chn_secretary", area.branch, open_question)

    assert "not_voted" == e.value.code
    assert not Decision.objects.exists()


def test_a_body_decides_only_once(world):
    area = world["area"]
    world["selection"] = start_trigger(area, world["con_secretary"])
    _link(world, "chn_secretary", area.branch, decided(area.branch, area, carried=True))
    again = decided(area.branch, area, carried=False)

    with pytest.raises(Conflict) as e:
        _link(world, "chn_secretary", area.branch, again)

    assert "already_decided" == e.value.code
    assert 1 == Decision.objects.count()


def test_it_refuses_a_vote_taken_before_the_selection_began(world, _clock):
    area = world["area"]
    earlier = decided(area.branch, area, carried=True)
    _clock.shift(dt.timedelta(days=2))
    world["selection"] = start_trigger(area, world["con_secretary"])

    with pytest.raises(Refusal) as e:
        _link(world, "chn_secretary", area.branch, earlier)

    assert "before_selection" == e.value.code


def test_only_the_bodys_own_secretary_links_its_decision(world):
    area = world["area"]
    world["selection"] = start_trigger(area, world["con_secretary"])
    question = decided(area.branch, area, carried=True)

    for key in ("con_secretary", "hph_secretary"):
        with pytest.raises(PermissionRefused):
            _link(world, key, area.branch, question)

    assert not Decision.objects.exists()


def test_it_refuses_an_amendments_vote(world):
    from rankfile.meetings.services.calling import meeting_call
    from rankfile.meetings.services.door import meeting_open
    from rankfile.meetings.services.motions import amendment_submit, motion_submit
    from rankfile.meetings.services.votes import hands_record, question_put

    area = world["area"]
    world["selection"] = start_trigger(area, world["con_secretary"])
    chair = officer("chair.chn@example.org", "chair", area.branch)
    proposer, seconder = sponsors(area.branch, area)
    meeting = meeting_call(by=chair, body=area.branch, title="Branch meeting", place="Hall",
                           starts_at=timezone.now() + dt.timedelta(days=1)).meeting
    motion = motion_submit(by=chair, meeting=meeting, title="Open selection",
                           text="That this branch calls for an open selection.",
                           proposer=proposer, seconder=seconder)
    amendment = amendment_submit(by=chair, motion=motion, kind="insert", new_text=" Now.",
                                 proposer=proposer, seconder=seconder)
    meeting_open(by=chair, meeting=meeting)
    question = question_put(by=chair, motion=motion, method="hands", amendment=amendment)
    hands_record(by=chair, question=question, votes_for=5, votes_against=1, abstentions=0)
    question.refresh_from_db()

    with pytest.raises(Refusal) as e:
        _link(world, "chn_secretary", area.branch, question)

    assert "not_a_motion" == e.value.code


@pytest.mark.parametrize("threshold", ["0", "4/3", "-1/3", "1/0", "a third", "", "1.5"])
def test_it_refuses_thresholds_out_of_range(world, threshold):
    with pytest.raises(Refusal) as e:
        start_trigger(world["area"], world["con_secretary"], affiliate_threshold=threshold)

    assert e.value.code in ("bad_threshold", "threshold_out_of_range")
    assert "affiliate_threshold" == e.value.field
    assert not Selection.objects.exists()


def test_only_the_constituency_secretary_starts_a_selection(world):
    with pytest.raises(PermissionRefused):
        start_trigger(world["area"], world["chn_secretary"])

    assert not Selection.objects.exists()


def test_a_sitting_representative_needs_a_deadline(world):
    with pytest.raises(Refusal) as e:
        start_trigger(world["area"], world["con_secretary"], trigger_deadline=None)

    assert "trigger_deadline" == e.value.field


def test_without_a_sitting_representative_it_opens_with_nominations(world):
    selection = selection_create(by=world["con_secretary"], constituency=world["area"].constituency,
                                 office="Councillor for Valley ward")

    assert Selection.Stage.NOMINATIONS == selection.stage


def test_the_rules_wait_for_every_body_until_the_deadline(world, _clock):
    area = world["area"]
    world["selection"] = selection = start_trigger(area, world["con_secretary"])
    _link(world, "chn_secretary", area.branch, decided(area.branch, area, carried=True))

    with pytest.raises(Conflict) as e:
        trigger_conclude(by=world["con_secretary"], selection=selection)
    assert "still_deciding" == e.value.code

    _clock.shift(dt.timedelta(days=31))
    with pytest.raises(Conflict):  # too late to decide now
        _link(world, "hph_secretary", area.other_branch, decided(area.other_branch, area,
                                                                carried=True))
    done = triggers_conclude_due(by=System("test"))
    again = triggers_conclude_due(by=System("test"))

    assert [selection.pk] == [s.pk for s in done]
    assert [] == again
    selection.refresh_from_db()
    # One of two branches said yes; the others did not decide and count as not saying yes.
    assert (Selection.Outcome.OPEN, 1, 2, 0, 1) == (
        selection.outcome, selection.branches_yes, selection.branches_total,
        selection.affiliates_yes, selection.affiliates_total)


def test_the_command_closes_trigger_ballots_past_their_deadline(world, _clock):
    from io import StringIO

    from django.core.management import call_command

    world["selection"] = selection = start_trigger(world["area"], world["con_secretary"])
    out = StringIO()
    call_command("close_trigger_ballots", stdout=out)
    assert "0 trigger ballots closed." in out.getvalue()

    _clock.shift(dt.timedelta(days=31))
    call_command("close_trigger_ballots", stdout=out)

    selection.refresh_from_db()
    # Nobody decided: nobody said yes, and the representative is reselected.
    assert Selection.Outcome.RESELECTED == selection.outcome
    assert "1 trigger ballot closed." in out.getvalue()


def test_only_the_site_runs_the_deadline_job(world):
    with pytest.raises(PermissionRefused):
        triggers_conclude_due(by=world["con_secretary"])


def test_a_body_of_another_constituency_takes_no_part(world):
    from rankfile.branches.models import Body

    area = world["area"]
    other_con = Body.objects.create(kind=Body.Kind.CONSTITUENCY, name="Leyton", code="E14X",
                                    parent=area.region)
    elsewhere = Body.objects.create(kind=Body.Kind.BRANCH, name="Leyton", code="WF-LEY",
                                    parent=other_con)
    ley_secretary = officer("ley.secretary@example.org", "secretary", elsewhere)
    world["selection"] = selection = start_trigger(area, world["con_secretary"])
    question = decided(elsewhere, area, carried=True)

    with pytest.raises(Refusal) as e:
        decision_link(by=ley_secretary, selection=selection, body=elsewhere, question=question)

    assert "not_taking_part" == e.value.code
    assert timezone.now()  # the clock still runs


def test_it_refuses_an_address_the_site_uses(world):
    with pytest.raises(Refusal) as e:
        selection_create(by=world["con_secretary"], constituency=world["area"].constituency,
                         office="Mayor", slug="new")

    assert "slug" == e.value.field
    assert not Selection.objects.exists()
