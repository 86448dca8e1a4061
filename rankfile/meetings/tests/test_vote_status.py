"""What the phones poll: the vote page's ticket, the open questions and their cache,
and a vote cast from the page's script (JSON)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rankfile.meetings.models import Question, SecretVote
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.services.votes import (
    OPEN_QUESTIONS_CACHE_SECONDS,
    VOTE_TICKET_MAX_AGE,
    open_secret_questions,
    question_close,
    question_put,
    vote_ticket,
    vote_ticket_valid,
)
from rankfile.meetings.tests.helpers import in_session, members

TEXT = "This branch calls for rent controls in every borough."


def _motion(meeting, a, b):
    return motion_submit(by=a, meeting=meeting, title="Rent", text=TEXT, proposer=a, seconder=b)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _status_url(page: str) -> str:
    marker = 'data-status="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)].replace("&amp;", "&")


def test_the_vote_page_ticket_shows_the_open_questions_without_a_login(area):
    meeting, chair, _, people = in_session(area, 2)
    page = _as(people[0]).get(f"/meetings/{meeting.pk}/vote/").content.decode()
    url = _status_url(page)
    anonymous = Client()

    before = anonymous.get(url).json()
    question = question_put(by=chair, motion=_motion(meeting, *people), method="secret")
    during = anonymous.get(url).json()
    question_close(by=chair, question=question)
    after = anonymous.get(url).json()

    assert {"open": []} == before == after
    assert [{"id": question.pk, "kind": "Motion", "text": TEXT}] == during["open"]
    assert "sessionid" not in anonymous.cookies


def test_a_show_of_hands_is_not_polled_for(area):
    meeting, chair, _, people = in_session(area, 2)
    question_put(by=chair, motion=_motion(meeting, *people), method="hands")

    assert [] == open_secret_questions(meeting.pk)


def test_a_forged_expired_or_other_meetings_ticket_is_refused(area):
    meeting, _, _, people = in_session(area, 2)
    ticket = vote_ticket(meeting, people[0])
    anonymous = Client()

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=VOTE_TICKET_MAX_AGE + 60)):
        expired = vote_ticket_valid(ticket, meeting.pk)
        expired_answer = anonymous.get(f"/meetings/{meeting.pk}/vote/status/", {"t": ticket})
    answers = [anonymous.get(f"/meetings/{meeting.pk}/vote/status/", {"t": t}).status_code
               for t in ("", "x" * 500, ticket[:-2] + "xx", "\u202e" + ticket)]
    other = anonymous.get(f"/meetings/{meeting.pk + 1}/vote/status/", {"t": ticket})

    assert vote_ticket_valid(ticket, meeting.pk)
    assert not expired
    assert 404 == expired_answer.status_code == other.status_code
    assert [404, 404, 404, 404] == answers


def test_the_open_questions_are_cached_at_most_a_second_and_forgotten_when_put(area):
    meeting, chair, _, people = in_session(area, 2)
    motion = _motion(meeting, *people)
    assert [] == open_secret_questions(meeting.pk)  # now cached

    # Another server process puts a question (its cache is not this one's): this
    # process answers from its cache until it expires, never longer.
    elsewhere = Question.objects.create(
        meeting=meeting, kind=Question.Kind.MOTION, motion=motion, text=TEXT, method="secret",
        majority="simple", voting_present=2, quorum=5, opened_at=timezone.now())
    stale = open_secret_questions(meeting.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(
            seconds=OPEN_QUESTIONS_CACHE_SECONDS + 0.5)):
        fresh = open_secret_questions(meeting.pk)
    question_close(by=chair, question=elsewhere)  # in this process: forgotten at once
    closed = open_secret_questions(meeting.pk)

    assert [] == stale
    assert [elsewhere.pk] == [q["id"] for q in fresh]
    assert [] == closed


def test_a_vote_from_the_page_script_answers_json(area):
    meeting, chair, _, people = in_session(area, 2)
    (absent,) = members(area, 1, prefix="absent")
    question = question_put(by=chair, motion=_motion(meeting, *people), method="secret")
    url = f"/meetings/{meeting.pk}/questions/{question.pk}/vote/"
    voter = _as(people[0])

    first = voter.post(url, {"choice": "for"}, HTTP_ACCEPT="application/json")
    again = voter.post(url, {"choice": "against"}, HTTP_ACCEPT="application/json")
    bad = _as(people[1]).post(url, {"choice": "maybe"}, HTTP_ACCEPT="application/json")
    outsider = _as(absent).post(url, {"choice": "for"}, HTTP_ACCEPT="application/json")
    form = _as(people[1]).post(url, {"choice": "against"})

    assert (200, True) == (first.status_code, first.json()["ok"])
    assert "Your vote is counted" in first.json()["message"]
    assert (409, False) == (again.status_code, again.json()["ok"])
    assert "already voted" in again.json()["message"]
    assert 400 == bad.status_code
    # Not of this body, so not shown the meeting at all.
    assert outsider.status_code in (403, 404)
    assert 302 == form.status_code
    assert {"for": 1, "against": 1} == {c: SecretVote.objects.filter(choice=c).count()
                                        for c in ("for", "against")}


@given(st.text(max_size=300), st.integers(min_value=1, max_value=10**6))
def test_only_a_ticket_we_signed_for_that_meeting_is_valid(text, meeting_id):
    assert not vote_ticket_valid(text, meeting_id)
