"""The demo's trigger ballot: in progress in Chingford and Woodford Green, and reaching its
outcome once Chingford links the vote its meeting takes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.demo import demo_load
from rankfile.demo.logins import MEMBER, SECRETARY
from rankfile.demo.meetings import CHAIR
from rankfile.demo.selections import SLUG
from rankfile.meetings.services.calling import meeting_call
from rankfile.meetings.services.door import meeting_open
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.votes import hands_record, question_put
from rankfile.selections.models import Decision, Selection
from rankfile.selections.services.trigger import decision_link


def test_the_demo_has_a_trigger_ballot_in_progress_that_chingford_completes(db, client):
    demo_load(people=50, out=lambda _: None)
    demo_load(people=50, out=lambda _: None)

    selection = Selection.objects.get(slug=SLUG)
    assert (Selection.Stage.TRIGGER, "") == (selection.stage, selection.outcome)
    assert selection.sitting_representative
    decisions = {d.body.code: d.question for d in Decision.objects.filter(selection=selection)}
    assert {"WF-HPH", "AFF-UNITE-CWG"} == set(decisions)
    assert decisions["WF-HPH"].carried and not decisions["AFF-UNITE-CWG"].carried
    five_days_ago = timezone.now() - dt.timedelta(days=5)
    assert all(q.closed_at and q.closed_at < five_days_ago for q in decisions.values())
    assert Body.objects.get(code="AFF-UNITE-CWG").kind == Body.Kind.AFFILIATE
    page = client.get(selection.get_absolute_url()).content.decode()
    assert "Not decided yet" in page and "Highams Park" in page

    chair, secretary, member = (User.objects.get(email=e) for e in (CHAIR, SECRETARY, MEMBER))
    chingford = Body.objects.get(code="WF-CHN")
    meeting = meeting_call(by=chair, body=chingford, title="Trigger ballot meeting", place="Hall",
                           starts_at=timezone.now() + dt.timedelta(hours=2)).meeting
    motion = motion_submit(by=secretary, meeting=meeting, title="Open selection",
                           text="That this branch calls for an open selection.",
                           proposer=secretary, seconder=member)
    meeting_open(by=chair, meeting=meeting)
    question = question_put(by=chair, motion=motion, method="hands")
    hands_record(by=chair, question=question, votes_for=2, votes_against=5, abstentions=0)
    question.refresh_from_db()
    decision_link(by=secretary, selection=selection, body=chingford, question=question)

    selection.refresh_from_db()
    # Highams Park's yes is one of two branches: at least the third the rules ask.
    assert (Selection.Outcome.OPEN, 1, 2, 0, 1) == (
        selection.outcome, selection.branches_yes, selection.branches_total,
        selection.affiliates_yes, selection.affiliates_total)
