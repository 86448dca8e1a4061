"""Meetings pages: a member's meetings and groups, a meeting's page, calling a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.meetings.access import (
    access_meeting,
    can_call_meeting,
    can_chair,
    can_tell,
    membership_in,
)
from rankfile.meetings.forms import MeetingForm
from rankfile.meetings.models import GroupMember, Meeting, Question, Reply
from rankfile.meetings.selectors import (
    callable_bodies,
    group_list,
    meeting_list_upcoming,
    replies_of,
)
from rankfile.meetings.services.calling import (
    group_join,
    group_leave,
    meeting_call,
    meeting_reply,
    meeting_send_notice,
    notice_warning,
    rules_of,
)
from rankfile.meetings.services.door import checkin_token


def _meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    try:
        return access_meeting(request.user, meeting_id)
    except NotFound as e:
        raise Http404(e.message) from None


@login_required
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    meetings = list(meeting_list_upcoming(request.user))
    answers = replies_of(request.user, meetings)
    for m in meetings:
        m.my_answer = answers.get(m.pk, "")  # type: ignore[attr-defined]
    joined = set(GroupMember.objects.filter(user=request.user).values_list("group_id", flat=True))
    return render(request, "meetings/list.html", {
        "meetings": meetings, "groups": group_list(), "joined": joined,
        "callable": callable_bodies(request.user)})


@login_required
def detail(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    mine = membership_in(request.user, meeting.body)
    reply = Reply.objects.filter(meeting=meeting, user=request.user).first()
    is_caller = can_call_meeting(request.user, meeting.body)
    counts = {}
    if is_caller or can_tell(request.user, meeting):
        counts = {a: meeting.replies.filter(answer=a).count() for a in Reply.Answer.values}
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "membership": mine, "reply": reply, "is_caller": is_caller,
        "is_chair": can_chair(request.user, meeting), "is_teller": can_tell(request.user, meeting),
        "counts": counts, "rules": rules_of(meeting.body),
        "guests": meeting.guests.count() if counts and meeting.is_public else None,
        "code": checkin_token(mine) if mine else "",
        "motions": meeting.motions.prefetch_related("amendments"),
        "card_votes_open": meeting.questions.filter(
            method=Question.Method.CARD, status=Question.Status.OPEN).select_related("motion"),
        "warning": notice_warning(meeting) if is_caller and not meeting.notice_sent_at else ""})


@require_http_methods(["GET", "POST"])
@login_required
def call(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    body = Body.objects.filter(code=code[:40].replace("\x00", "")).first()
    if body is None or not can_call_meeting(request.user, body):
        raise Http404("There is no such body, or you may not call its meetings.")
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            called = meeting_call(by=request.user, body=body, **form.cleaned_data)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, "Meeting called. Send the notice when the agenda is ready.")
            if called.warning:
                messages.warning(request, called.warning)
            return redirect(called.meeting)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/call.html", {"form": form, "body": body,
                                                  "rules": rules_of(body)}, status=status)


@require_POST
@login_required
def send_notice(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        queued = meeting_send_notice(by=request.user, meeting=meeting)
    except PermissionRefused as e:
        raise Http404(e.message) from None
    except Refusal as e:
        messages.warning(request, e.message)
    else:
        messages.success(request, f"Notice queued for {queued} members.")
        if meeting.short_notice:
            messages.warning(request, "The notice was shorter than the rules require.")
    return redirect(meeting)


@require_POST
@login_required
def reply(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        answer = meeting_reply(by=request.user, meeting=meeting,
                               answer=request.POST.get("answer", "")[:20])
    except Refusal as e:
        messages.warning(request, e.message)
    else:
        messages.success(request, f"Thank you: {answer.get_answer_display()}.")
    return redirect(meeting)


def _group(code: str) -> Body:
    return get_object_or_404(Body, kind=Body.Kind.GROUP, code=code[:40].replace("\x00", ""))


@require_POST
@login_required
def join_group(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    group = _group(code)
    try:
        group_join(by=request.user, group=group)
    except Refusal as e:
        messages.warning(request, e.message)
    else:
        messages.success(request, f"You joined {group.name}.")
    return redirect("meetings:list")


@require_POST
@login_required
def leave_group(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    group = _group(code)
    group_leave(by=request.user, group=group)
    messages.success(request, f"You left {group.name}.")
    return redirect("meetings:list")
