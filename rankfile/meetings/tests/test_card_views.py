"""Card votes, recounts and the minutes' approval through their pages (the test client)."""

from __future__ import annotations

from django.test import Client

from rankfile.meetings.models import Card, CardVote, Motion, Question
from rankfile.meetings.services.cards import card_add
from rankfile.meetings.services.motions import motion_submit
from rankfile.meetings.tests.helpers import chingford_meeting, in_session, members
from rankfile.membership.models import Membership


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _motion(meeting, a, b):
    return motion_submit(by=a, meeting=meeting, title="Rent", text="Rent controls now.",
                         proposer=a, seconder=b)


def test_the_secretary_sets_up_cards_with_precise_errors_that_change_nothing(area):
    meeting, chair, teller, people = in_session(area, 2)
    ref = Membership.objects.get(user=people[0]).reference
    secretary = _as(chair)
    url = f"/meetings/{meeting.pk}/cards/"

    added = secretary.post(url, {"holder": ref, "casts_for": "GMB", "weight": "12,000"})
    bad = {
        "weight": secretary.post(url, {"holder": ref, "casts_for": "Unite", "weight": "lots"}),
        "holder": secretary.post(url, {"holder": "RF-NOPE", "casts_for": "Unite", "weight": "1"}),
        "casts_for": secretary.post(url, {"holder": ref, "casts_for": "U\x00", "weight": "1"}),
        "again": secretary.post(url, {"holder": ref, "casts_for": "gmb", "weight": "1"}),
    }
    page = secretary.get(url).content.decode()

    assert 302 == added.status_code
    assert {k: 400 for k in bad} == {k: r.status_code for k, r in bad.items()}
    assert "whole number from 1 to 10,000,000" in bad["weight"].content.decode()
    assert 'id="weight-error"' in bad["weight"].content.decode()
    assert "No member of this body" in bad["holder"].content.decode()
    assert "already has a card" in bad["again"].content.decode()
    assert [("GMB", 12_000)] == list(Card.objects.values_list("casts_for", "weight"))
    assert "12,000" in page and "Card votes are not secret" in page
    assert 404 == _as(teller).get(url).status_code
    assert 404 == _as(people[1]).post(url, {"holder": ref, "casts_for": "X",
                                            "weight": "1"}).status_code


def test_a_card_vote_is_cast_from_the_phone_and_the_tellers_sheet_and_closed(area):
    meeting, chair, teller, people = in_session(area, 3)
    gmb = card_add(by=chair, meeting=meeting, holder=people[0], casts_for="GMB", weight=12_000)
    unite = card_add(by=chair, meeting=meeting, holder=people[1], casts_for="Unite",
                     weight=9_000)
    motion = _motion(meeting, *people[:2])
    chairing, door = _as(chair), _as(teller)

    chairing.post(f"/meetings/{meeting.pk}/put/", {"motion": motion.pk, "method": "card"})
    question = Question.objects.get()
    base = f"/meetings/{meeting.pk}/questions/{question.pk}"
    phone = _as(people[0]).get(f"/meetings/{meeting.pk}/vote/").content.decode()
    by_phone = _as(people[0]).post(f"{base}/card/", {"card": gmb.pk, "choice": "for"})
    twice = _as(people[0]).post(f"{base}/card/", {"card": gmb.pk, "choice": "against"},
                                follow=True)
    stranger = _as(people[2]).post(f"{base}/card/", {"card": unite.pk, "choice": "for"})
    by_teller = door.post(f"{base}/card/", {"card": unite.pk, "choice": "against"})
    sheet = door.get(f"{base}/cards/").content.decode()
    live = chairing.get(f"/meetings/{meeting.pk}/live/").json()
    chairing.post(f"{base}/close/")
    chair_page = chairing.get(f"/meetings/{meeting.pk}/chair/").content.decode()

    assert "Card for GMB (12,000)" in phone and "not secret" in phone
    assert f"/meetings/{meeting.pk}/vote/" == by_phone["Location"]
    assert "already been cast" in twice.content.decode()
    assert 404 == stranger.status_code
    assert f"{base}/cards/" == by_teller["Location"]
    assert "(by the holder)" in sheet and "(entered by a teller)" in sheet
    assert [{"id": question.pk, "cast": 2}] == live["open"]
    assert 2 == live["cards"]
    assert "12,000 for, 9,000 against, 0 abstentions (cards&#x27; weights), 2 cards cast" in (
        chair_page)
    assert Motion.Status.CARRIED == Motion.objects.get().status
    assert 2 == CardVote.objects.count()
    assert 405 == door.get(f"{base}/card/").status_code


def test_the_chair_recounts_a_closed_result_from_the_chair_page(area):
    meeting, chair, teller, people = in_session(area, 3)
    motion = _motion(meeting, *people[:2])
    chairing = _as(chair)
    chairing.post(f"/meetings/{meeting.pk}/put/", {"motion": motion.pk, "method": "secret"})
    question = Question.objects.get()
    base = f"/meetings/{meeting.pk}/questions/{question.pk}"

    too_soon = chairing.post(f"{base}/recount/", {"method": "hands"}, follow=True)
    chairing.post(f"{base}/close/")
    offered = chairing.get(f"/meetings/{meeting.pk}/chair/").content.decode()
    by_teller = _as(teller).post(f"{base}/recount/", {"method": "hands"})
    started = chairing.post(f"{base}/recount/", {"method": "hands"})
    again = Question.objects.exclude(pk=question.pk).get()
    _as(teller).post(f"/meetings/{meeting.pk}/questions/{again.pk}/hands/",
                     {"votes_for": "2", "votes_against": "1", "abstentions": "0"})
    after = chairing.get(f"/meetings/{meeting.pk}/chair/").content.decode()

    assert "still being voted on" in too_soon.content.decode()
    assert "Recount by show of hands" in offered
    assert "Recount by card vote" not in offered  # no cards at this meeting
    assert 404 == by_teller.status_code
    assert 302 == started.status_code
    assert question == again.recount_of
    assert "Recount: Motion" in after and "recounted below" in after
    assert Motion.Status.CARRIED == Motion.objects.get().status
    assert 405 == chairing.get(f"{base}/recount/").status_code


def test_the_secretary_puts_published_minutes_to_the_next_meeting(area):
    meeting, chair, _, people = in_session(area, 2)
    secretary = _as(chair)
    url = f"/meetings/{meeting.pk}/minutes/"
    secretary.post(url, {"action": "generate"})
    secretary.post(url, {"action": "publish"})
    no_meeting = secretary.post(url, {"action": "approval"}, follow=True).content.decode()
    following = chingford_meeting(area, by=chair, days=40)
    offered = secretary.get(url).content.decode()
    secretary.post(url, {"action": "approval"})
    after = _as(people[0]).get(url).content.decode()

    assert "Call the next meeting" in no_meeting
    assert "Put the minutes to Branch meeting of" in offered
    assert Motion.objects.get(approves__meeting=meeting).meeting == following
    assert "Not yet approved" in after and "on the agenda of Branch meeting" in after
    assert "data-print" in after


def test_a_member_of_the_branch_who_holds_no_card_is_told_there_is_none(area):
    meeting, chair, _, people = in_session(area, 2)
    (other,) = members(area, 1, prefix="other")
    card_add(by=chair, meeting=meeting, holder=people[0], casts_for="GMB", weight=1)

    page = _as(other).get(f"/meetings/{meeting.pk}/vote/").content.decode()

    assert "Your delegate's cards" not in page


def test_hostile_input_to_cards_and_recounts_answers_400_or_back_and_changes_nothing(area):
    meeting, chair, teller, people = in_session(area, 2)
    gmb = card_add(by=chair, meeting=meeting, holder=people[0], casts_for="GMB", weight=1)
    motion = _motion(meeting, *people)
    chairing = _as(chair)
    chairing.post(f"/meetings/{meeting.pk}/put/", {"motion": motion.pk, "method": "card"})
    question = Question.objects.get()
    base = f"/meetings/{meeting.pk}/questions/{question.pk}"
    cards_url = f"/meetings/{meeting.pk}/cards/"

    answers = [
        chairing.post(cards_url, {"holder": "RF\x00", "casts_for": "X", "weight": "1"}),
        chairing.post(cards_url, {"holder": "", "casts_for": "\u202eX", "weight": "1"}),
        chairing.post(cards_url, {"holder": "", "casts_for": "X", "weight": "1\x00"}),
        chairing.post(cards_url, {"action": "remove", "card": "9" * 40}),
        _as(teller).post(f"{base}/card/", {"card": "9" * 40, "choice": "for"}),
        _as(teller).post(f"{base}/card/", {"card": gmb.pk, "choice": "for\x00"}),
        chairing.post(f"{base}/recount/", {"method": "\x00" * 20}),
        chairing.post(f"{base}/recount/", {"method": "\u202ehands"}),
        chairing.post(f"/meetings/{meeting.pk}/questions/{'9' * 30}/recount/", {"method": "hands"}),
    ]

    assert [400, 400, 400, 400, 302, 400, 400, 302, 404] == [a.status_code for a in answers]
    assert 1 == Card.objects.count() == Question.objects.count()
    assert 0 == CardVote.objects.count()
