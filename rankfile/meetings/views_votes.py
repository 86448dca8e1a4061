"""Card votes and recounts: the delegates' cards, casting a card, the tellers' card sheet,
and the chair's recount of a contested result by a second method."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.meetings.access import can_call_meeting, can_tell
from rankfile.meetings.models import Attendance, Card, CardVote, Meeting, Question
from rankfile.meetings.services.cards import (
    card_add,
    card_cast,
    card_remove,
    card_tally,
    parse_weight,
)
from rankfile.meetings.services.door import door_pool
from rankfile.meetings.services.votes import question_recount
from rankfile.meetings.views_room import _back, _chair_meeting, _int, _meeting, _question


def _holder(meeting: Meeting, reference: str) -> User | None:
    """The card's holder, found like the door finds people: the body's members and those
    who said they are coming, never the whole membership."""
    reference = reference.strip()[:12].replace("\x00", "")
    found = door_pool(meeting).filter(reference=reference).select_related("user").first()
    return found.user if found else None


@require_http_methods(["GET", "POST"])
@login_required
def cards(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    if not can_call_meeting(request.user, meeting.body):
        raise Http404("The delegates' cards are set up by the secretary.")
    error, field = "", ""
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "remove":
                card = Card.objects.filter(meeting=meeting, pk=_int(p.get("card"))).first()
                if card is None:
                    raise Refusal("That card is not one of this meeting's.", code="no_card")
                card_remove(by=request.user, card=card)
                messages.success(request, f"The card for {card.casts_for} was removed.")
            else:
                card = card_add(by=request.user, meeting=meeting,
                                holder=_holder(meeting, p.get("holder", "")),
                                casts_for=p.get("casts_for", ""),
                                weight=parse_weight(p.get("weight", "")[:30]))
                messages.success(request, f"Card added: {card.casts_for}, {card.weight:,}.")
        except PermissionRefused as e:
            raise Http404(e.message) from None
        except Refusal as e:
            error, field = e.message, e.field or ""
        else:
            return redirect("meetings:cards", meeting.pk)
    here = set(Attendance.objects.filter(meeting=meeting, checked_out_at__isnull=True)
               .values_list("user_id", flat=True))
    listed = list(meeting.cards.select_related("holder"))
    for card in listed:
        card.present = card.holder_id in here  # type: ignore[attr-defined]
    return render(request, "meetings/cards.html", {
        "meeting": meeting, "cards": listed, "error": error, "field": field,
        "data": request.POST, "total": sum(c.weight for c in listed)},
        status=400 if error else 200)


@login_required
def card_sheet(request: AuthenticatedHttpRequest, meeting_id: int, question_id: int
               ) -> HttpResponse:
    """The tellers' sheet for a card vote: every card, its holder, and how it was cast."""
    meeting = _meeting(request, meeting_id)
    if not can_tell(request.user, meeting):
        raise Http404("This page is for the meeting's tellers.")
    question = _question(meeting, question_id)
    if question.method != Question.Method.CARD:
        raise Http404("This question is not a card vote.")
    cast = {v.card_id: v for v in CardVote.objects.filter(question=question)
            .select_related("entered_by")}
    here = set(Attendance.objects.filter(meeting=meeting, checked_out_at__isnull=True)
               .values_list("user_id", flat=True))
    rows = [(card, cast.get(card.pk), card.holder_id in here)
            for card in meeting.cards.select_related("holder")]
    return render(request, "meetings/card_sheet.html", {
        "meeting": meeting, "question": question, "rows": rows, "tally": card_tally(question)})


@require_POST
@login_required
def card_vote(request: AuthenticatedHttpRequest, meeting_id: int, question_id: int
              ) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    question = _question(meeting, question_id)
    card = Card.objects.filter(meeting=meeting, pk=_int(request.POST.get("card"))).select_related(
        "holder").first()
    holds = card is not None and card.holder_id == request.user.pk
    back = ("meetings:vote", meeting.pk) if holds or not can_tell(request.user, meeting) else (
        "meetings:card_sheet", meeting.pk, question.pk)
    try:
        if card is None:
            raise Refusal("Choose one of this meeting's cards.", code="no_card")
        vote = card_cast(by=request.user, question=question, card=card,
                         choice=request.POST.get("choice", "")[:10])
    except Refusal as e:
        if isinstance(e, PermissionRefused):
            raise Http404(e.message) from None
        messages.warning(request, e.message)
        return redirect(*back)
    messages.success(request, f"The card for {card.casts_for} ({card.weight:,}) is cast "
                              f"{vote.get_choice_display().lower()}.")
    return redirect(*back)


@require_POST
@login_required
def recount(request: AuthenticatedHttpRequest, meeting_id: int, question_id: int) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    try:
        again = question_recount(by=request.user, question=_question(meeting, question_id),
                                 method=request.POST.get("method", "")[:10])
    except Refusal as e:
        return _back(request, e, "meetings:chair", meeting)
    messages.success(request, f"Recount by {again.get_method_display().lower()} started: "
                              "its result will stand.")
    return redirect("meetings:chair", meeting.pk)
