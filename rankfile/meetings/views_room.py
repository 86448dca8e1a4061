"""The meeting in the room: motions, the door, the chair's page, phones' votes, minutes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.middleware import permissions_policy
from rankfile.meetings.access import (
    access_meeting,
    body_memberships,
    can_call_meeting,
    can_chair,
    can_tell,
)
from rankfile.meetings.models import (
    Amendment,
    Card,
    CardVote,
    Meeting,
    Minutes,
    Motion,
    Question,
    VoteMark,
)
from rankfile.meetings.services.cards import cards_held
from rankfile.meetings.services.door import (
    attendee_check_in,
    attendee_check_out,
    door_guests,
    door_search,
    is_present_voter,
    meeting_open,
    meeting_presence,
)
from rankfile.meetings.services.minutes import (
    minutes_edit,
    minutes_generate,
    minutes_publish,
    minutes_put_for_approval,
    next_meeting,
)
from rankfile.meetings.services.motions import amendment_submit, motion_submit
from rankfile.meetings.services.votes import (
    hands_record,
    open_secret_questions,
    question_close,
    question_put,
    vote_cast,
    vote_ticket,
    vote_ticket_valid,
    votes_cast,
)


def _meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    try:
        return access_meeting(request.user, meeting_id)
    except Refusal as e:
        raise Http404(e.message) from None


def _sponsor(meeting: Meeting, reference: str) -> User | None:
    reference = reference.strip()[:12].replace("\x00", "")
    found = body_memberships(meeting.body).filter(reference=reference).select_related("user").first()
    return found.user if found else None


def _back(request: AuthenticatedHttpRequest, e: Refusal, to: str, meeting: Meeting) -> HttpResponse:
    if isinstance(e, PermissionRefused):
        raise Http404(e.message)
    messages.warning(request, e.message)
    return redirect(to, meeting.pk)


@require_http_methods(["GET", "POST"])
@login_required
def motion_new(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            motion_submit(
                by=request.user, meeting=meeting, title=p.get("title", ""),
                text=p.get("text", ""), proposer=_sponsor(meeting, p.get("proposer", "")),
                seconder=_sponsor(meeting, p.get("seconder", "")),
                emergency=p.get("emergency") == "on", urgency_reason=p.get("urgency_reason", ""))
        except PermissionRefused as e:
            raise Http404(e.message) from None
        except Refusal as e:
            error = e.message
        else:
            messages.success(request, "Motion submitted.")
            return redirect(meeting)
    return render(request, "meetings/motion_new.html", {"meeting": meeting, "error": error,
                                                        "data": request.POST},
                  status=400 if error else 200)


@require_POST
@login_required
def amendment_new(request: AuthenticatedHttpRequest, meeting_id: int, number: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    motion = Motion.objects.filter(meeting=meeting, number=number).first()
    if motion is None:
        raise Http404("No such motion.")
    p = request.POST
    try:
        amendment_submit(by=request.user, motion=motion, kind=p.get("kind", "")[:10],
                         target=p.get("target", ""), new_text=p.get("new_text", ""),
                         proposer=_sponsor(meeting, p.get("proposer", "")),
                         seconder=_sponsor(meeting, p.get("seconder", "")))
    except Refusal as e:
        return _back(request, e, "meetings:detail", meeting)
    messages.success(request, "Amendment submitted.")
    return redirect(meeting)


def _teller_meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    meeting = _meeting(request, meeting_id)
    if not can_tell(request.user, meeting):
        raise Http404("This page is for the meeting's tellers.")
    return meeting


@require_http_methods(["GET", "POST"])
@login_required
def door(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _teller_meeting(request, meeting_id)
    found, guests, error, checked = [], [], "", None
    query = request.GET.get("q", "")
    if request.method == "POST":
        p = request.POST
        guest_id = p.get("guest", "")[:12]
        try:
            checked = attendee_check_in(by=request.user, meeting=meeting,
                                        reference=p.get("reference", ""),
                                        token=p.get("token", ""),
                                        guest_name=p.get("guest_name", ""),
                                        guest_id=int(guest_id) if guest_id.isdigit() else None)
        except Refusal as e:
            error = e.message
    elif query:
        try:
            found = door_search(by=request.user, meeting=meeting, query=query)
            guests = door_guests(by=request.user, meeting=meeting, query=query)
        except Refusal as e:
            error = e.message
    response = render(request, "meetings/door.html", {
        "meeting": meeting, "found": found, "guests": guests, "query": query, "error": error,
        "checked": checked,
        "presence": meeting_presence(meeting)}, status=400 if error else 200)
    # The teller's phone may use its camera here (to scan members' codes), and nowhere else.
    response["Permissions-Policy"] = permissions_policy(allow_self=("camera",))
    return response


@require_POST
@login_required
def check_out(request: AuthenticatedHttpRequest, meeting_id: int, attendance_id: int
              ) -> HttpResponse:
    meeting = _teller_meeting(request, meeting_id)
    try:
        attendee_check_out(by=request.user, meeting=meeting, attendance_id=attendance_id)
    except Refusal as e:
        return _back(request, e, "meetings:door", meeting)
    messages.success(request, "Checked out.")
    return redirect("meetings:door", meeting.pk)


def _chair_meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    meeting = _meeting(request, meeting_id)
    if not can_chair(request.user, meeting):
        raise Http404("This page is for the meeting's chair.")
    return meeting


@login_required
def chair(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    questions = list(meeting.questions.select_related("motion", "amendment", "recount_of",
                                                      "recount"))
    latest = {q.motion_id: q.pk for q in questions}  # questions come in the order put
    for q in questions:
        q.cast = votes_cast(q) if q.status == Question.Status.OPEN else None  # type: ignore[attr-defined]
        # A closed result may be recounted at once, by another method.
        q.recountable = (q.status == Question.Status.CLOSED and latest[q.motion_id] == q.pk  # type: ignore[attr-defined]
                         and meeting.status == Meeting.Status.OPEN)
    card_count = Card.objects.filter(meeting=meeting).count()
    methods = [(m, label) for m, label in Question.Method.choices
               if m != Question.Method.CARD or card_count]
    return render(request, "meetings/chair.html", {
        "meeting": meeting, "presence": meeting_presence(meeting), "questions": questions,
        "motions": meeting.motions.prefetch_related("amendments"), "card_count": card_count,
        "methods": methods})


@login_required
def live(request: AuthenticatedHttpRequest, meeting_id: int) -> JsonResponse:
    meeting = _chair_meeting(request, meeting_id)
    presence = meeting_presence(meeting)
    return JsonResponse({
        "present": presence.present, "voting": presence.voting, "quorum": presence.quorum,
        "quorate": presence.quorate,
        "open": [{"id": q.pk, "cast": votes_cast(q)} for q in
                 meeting.questions.filter(status=Question.Status.OPEN)],
        "cards": Card.objects.filter(meeting=meeting).count()})


@require_POST
@login_required
def open_meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    try:
        meeting_open(by=request.user, meeting=meeting)
    except Refusal as e:
        return _back(request, e, "meetings:chair", meeting)
    return redirect("meetings:chair", meeting.pk)


@require_POST
@login_required
def put(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    motion = Motion.objects.filter(meeting=meeting, pk=_int(request.POST.get("motion"))).first()
    amendment_pk = _int(request.POST.get("amendment"))
    amendment = (Amendment.objects.filter(motion=motion, pk=amendment_pk).first()
                 if amendment_pk and motion else None)
    if motion is None or (amendment_pk and amendment is None):
        messages.warning(request, "Choose a motion or amendment of this meeting.")
        return redirect("meetings:chair", meeting.pk)
    try:
        question_put(by=request.user, motion=motion, amendment=amendment,
                     method=request.POST.get("method", "")[:10])
    except Refusal as e:
        return _back(request, e, "meetings:chair", meeting)
    return redirect("meetings:chair", meeting.pk)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


def _question(meeting: Meeting, question_id: int) -> Question:
    question = Question.objects.filter(meeting=meeting, pk=question_id).select_related(
        "meeting__body", "motion", "amendment").first()
    if question is None:
        raise Http404("No such question.")
    return question


@require_POST
@login_required
def close(request: AuthenticatedHttpRequest, meeting_id: int, question_id: int) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    try:
        closed = question_close(by=request.user, question=_question(meeting, question_id))
    except Refusal as e:
        return _back(request, e, "meetings:chair", meeting)
    messages.success(request, "Carried." if closed.question.carried else "Lost.")
    return redirect("meetings:chair", meeting.pk)


@require_POST
@login_required
def hands(request: AuthenticatedHttpRequest, meeting_id: int, question_id: int) -> HttpResponse:
    meeting = _teller_meeting(request, meeting_id)
    p = request.POST
    figures = [p.get(k, "").strip() for k in ("votes_for", "votes_against", "abstentions")]
    try:
        if not all(f.isdigit() and len(f) < 8 for f in figures):
            raise Refusal("Enter each count as a whole number, 0 or more.", code="bad_count")
        closed = hands_record(by=request.user, question=_question(meeting, question_id),
                              votes_for=int(figures[0]), votes_against=int(figures[1]),
                              abstentions=int(figures[2]))
    except Refusal as e:
        return _back(request, e, "meetings:chair", meeting)
    if closed.warning:
        messages.warning(request, closed.warning)
    messages.success(request, "Carried." if closed.question.carried else "Lost.")
    return redirect("meetings:chair", meeting.pk)


@login_required
def vote_page(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    open_secret = list(meeting.questions.filter(status=Question.Status.OPEN,
                                                method=Question.Method.SECRET))
    voted = set(VoteMark.objects.filter(user=request.user, question__in=open_secret)
                .values_list("question_id", flat=True))
    mine = cards_held(request.user, meeting)
    card_questions = []
    if mine:
        cast = {(v.question_id, v.card_id): v for v in CardVote.objects.filter(
            card__in=mine, question__status=Question.Status.OPEN)}
        for q in meeting.questions.filter(status=Question.Status.OPEN,
                                          method=Question.Method.CARD):
            card_questions.append((q, [(c, cast.get((q.pk, c.pk))) for c in mine]))
    return render(request, "meetings/vote.html", {
        "meeting": meeting, "questions": open_secret, "voted": voted,
        "may_vote": is_present_voter(request.user, meeting), "cards": mine,
        "card_questions": card_questions, "ticket": vote_ticket(meeting, request.user)})


@require_GET
def vote_status(request: HttpRequest, meeting_id: int) -> JsonResponse:
    """The open secret questions, polled by the vote page's script every 2 s.

    No session: the vote page's signed ticket (``t``) stands for the login, so a
    room of phones asking costs no session or user lookups, and the questions
    come from a cache of at most a second.
    """
    if not vote_ticket_valid(request.GET.get("t", ""), meeting_id):
        raise Http404("No such vote page.")
    return JsonResponse({"open": open_secret_questions(meeting_id)})


VOTED = "Your vote is counted. No one can see how you voted."


@require_POST
@login_required
def vote(request: AuthenticatedHttpRequest, meeting_id: int, question_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    # The vote page's script asks for JSON and stays on the page; a form posted
    # without it goes back to the page with a message.
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        vote_cast(by=request.user, question=_question(meeting, question_id),
                  choice=request.POST.get("choice", "")[:10])
    except Refusal as e:
        if wants_json:
            return JsonResponse({"ok": False, "message": e.message}, status=e.http_status)
        messages.warning(request, e.message)
        return redirect("meetings:vote", meeting.pk)
    if wants_json:
        return JsonResponse({"ok": True, "message": VOTED})
    messages.success(request, VOTED)
    return redirect("meetings:vote", meeting.pk)


@require_http_methods(["GET", "POST"])
@login_required
def minutes(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    is_secretary = can_call_meeting(request.user, meeting.body)
    record = Minutes.objects.filter(meeting=meeting).first()
    if request.method == "POST":
        if not is_secretary:
            raise Http404("Only the secretary writes the minutes.")
        action = request.POST.get("action", "")
        try:
            if action == "generate" or record is None:
                record = minutes_generate(by=request.user, meeting=meeting)
            elif action == "publish":
                record = minutes_publish(by=request.user, minutes=record)
            elif action == "approval":
                motion = minutes_put_for_approval(by=request.user, minutes=record)
                messages.success(request, f"Put to {motion.meeting.title} as motion "
                                          f"{motion.number}.")
            else:
                record = minutes_edit(by=request.user, minutes=record,
                                      text=request.POST.get("text", ""))
        except Refusal as e:
            messages.warning(request, e.message)
        return redirect("meetings:minutes", meeting.pk)
    if record is None or (record.published_at is None and not is_secretary):
        if not is_secretary:
            raise Http404("The minutes of this meeting are not published yet.")
    approval = (record.approval_motions.select_related("meeting").order_by("-pk").first()
                if record is not None else None)
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes": record, "is_secretary": is_secretary,
        "approval": approval, "next_meeting": next_meeting(meeting) if is_secretary else None})
