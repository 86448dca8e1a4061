"""Motions, emergency motions and amendments."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from rankfile.core.errors import Conflict, Refusal
from rankfile.meetings.models import Amendment, Motion, MotionVersion
from rankfile.meetings.services.motions import (
    amended_text,
    amendment_apply,
    amendment_submit,
    motion_submit,
)
from rankfile.meetings.tests.helpers import chingford_meeting, members
from rankfile.membership.models import Membership

TEXT = "This branch calls for rent controls in every borough."


def _motion(meeting, a, b, *, by=None, **extra):
    return motion_submit(by=by or b, meeting=meeting, title="Rent", text=TEXT, proposer=a, seconder=b,
                         **extra)


def test_it_records_a_motion_and_its_first_version(area):
    meeting = chingford_meeting(area)
    a, b = members(area, 2)

    motion = _motion(meeting, a, b)

    assert (1, Motion.Status.SUBMITTED) == (motion.number, motion.status)
    assert [TEXT] == list(motion.versions.values_list("text", flat=True))


def test_it_refuses_sponsors_outside_the_body_or_not_in_good_standing(area):
    meeting = chingford_meeting(area)
    a, b, lapsed = members(area, 3)
    (outsider,) = members(area, 1, branch=area.other_branch, prefix="hp")
    Membership.objects.filter(user=lapsed).update(status=Membership.Status.SUSPENDED)

    for proposer, seconder, field in ((a, outsider, "seconder"), (lapsed, b, "proposer"),
                                      (a, a, "seconder")):
        with pytest.raises(Refusal) as refused:
            _motion(meeting, proposer, seconder, by=b)
        assert field == refused.value.field

    assert 0 == Motion.objects.count()


def test_after_the_deadline_only_an_emergency_motion_with_a_reason(area):
    meeting = chingford_meeting(area, deadline_days=1)
    a, b = members(area, 2)

    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        with pytest.raises(Refusal) as late:
            _motion(meeting, a, b)
        with pytest.raises(Refusal) as no_reason:
            _motion(meeting, a, b, emergency=True)
        emergency = _motion(meeting, a, b, emergency=True, urgency_reason="The eviction is Monday.")

    assert "after_deadline" == late.value.code
    assert "urgency_reason" == no_reason.value.field
    assert Motion.Status.AWAITING_ADMISSION == emergency.status


def test_an_emergency_motion_before_the_deadline_is_refused(area):
    meeting = chingford_meeting(area)
    a, b = members(area, 2)

    with pytest.raises(Refusal):
        _motion(meeting, a, b, emergency=True, urgency_reason="Now")


@pytest.mark.parametrize(("kind", "target", "new", "expected"), [
    ("delete", " in every borough", "", "This branch calls for rent controls."),
    ("replace", "every borough", "London", "This branch calls for rent controls in London."),
    ("insert", "rent controls", " and public housing",
     "This branch calls for rent controls and public housing in every borough."),
    ("insert", "", "Now.", TEXT + " Now."),
])
def test_it_applies_each_kind_of_amendment(kind, target, new, expected):
    assert expected == amended_text(TEXT, kind=kind, target=target, new_text=new)


def test_it_refuses_an_amendment_to_words_not_in_the_motion(area):
    meeting = chingford_meeting(area)
    a, b = members(area, 2)
    motion = _motion(meeting, a, b)

    with pytest.raises(Refusal) as refused:
        amendment_submit(by=a, motion=motion, kind="delete", target="not there", proposer=a,
                         seconder=b)

    assert "target" == refused.value.field
    assert 0 == Amendment.objects.count()


def test_it_refuses_an_amendment_to_a_motion_already_voted(area):
    meeting = chingford_meeting(area)
    a, b = members(area, 2)
    motion = _motion(meeting, a, b)
    Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.CARRIED)

    with pytest.raises(Conflict):
        amendment_submit(by=a, motion=motion, kind="replace", target="every borough",
                         new_text="London", proposer=a, seconder=b)

    assert 0 == Amendment.objects.count()


def test_a_carried_amendment_makes_a_new_version(area):
    meeting = chingford_meeting(area)
    a, b = members(area, 2)
    motion = _motion(meeting, a, b)
    amendment = amendment_submit(by=a, motion=motion, kind="replace", target="every borough",
                                 new_text="London", proposer=b, seconder=a)

    amendment_apply(amendment=amendment)

    motion.refresh_from_db()
    assert "This branch calls for rent controls in London." == motion.text
    assert [1, 2] == list(MotionVersion.objects.filter(motion=motion)
                          .values_list("number", flat=True))
