"""Pages of a meeting open to the public (no login), and the calendar files of meetings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, PermissionRefused, RateLimited, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.core.net import rate_limit
from rankfile.meetings.access import access_meeting, access_public_meeting
from rankfile.meetings.forms import GuestForm
from rankfile.meetings.models import Meeting
from rankfile.meetings.services.calling import meeting_send_reminder
from rankfile.meetings.services.public import (
    consent_wording,
    ends_at,
    guest_sign_up,
    meeting_calendar,
)

# Sign-ups from one connection: a room's worth of people on one Wi-Fi, not a script.
SIGN_UP_LIMIT = 20
SIGN_UP_SECONDS = 600


def _public(meeting_id: int) -> Meeting:
    try:
        return access_public_meeting(meeting_id)
    except NotFound as e:
        raise Http404(e.message) from None


def _summary(meeting: Meeting) -> str:
    """One line for link previews: who, when, where."""
    where = meeting.place or "Online"
    when = dateformat.format(timezone.localtime(meeting.starts_at), "l j F Y, H:i")
    return (f"{meeting.body.name} · {when} · {where}. "
            "Everyone welcome: sign up as a guest.")


@require_http_methods(["GET", "POST"])
def public_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _public(meeting_id)
    wording = consent_wording()
    form = GuestForm(request.POST or None, wording=wording)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            rate_limit(request, scope="meeting-guest", limit=SIGN_UP_LIMIT,
                       per_seconds=SIGN_UP_SECONDS)
        except RateLimited as e:
            form.is_valid()
            form_add_refusal(form, e)
            status = e.http_status
        else:
            if form.is_valid():
                try:
                    guest_sign_up(meeting=meeting, name=form.cleaned_data["name"],
                                  email=form.cleaned_data["email"],
                                  consent=form.cleaned_data["consent"])
                except Refusal as e:
                    form_add_refusal(form, e)
                    status = e.http_status
                else:
                    # The same words for every address: nothing says who is a member.
                    messages.success(request, "Thank you: you are on the list of guests. "
                                              "We sent the details to the address you gave.")
                    return redirect(meeting.get_public_url())
    canonical = settings.SITE_URL + meeting.get_public_url()
    return render(request, "meetings/public.html", {
        "meeting": meeting, "form": form, "canonical": canonical,
        "summary": _summary(meeting), "ends_at": ends_at(meeting),
        "is_over": meeting.status == Meeting.Status.CLOSED}, status=status)


def _calendar(meeting: Meeting) -> HttpResponse:
    response = HttpResponse(meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@require_GET
def public_calendar(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _calendar(_public(meeting_id))


@require_GET
@login_required
def member_calendar(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = access_meeting(request.user, meeting_id)
    except NotFound as e:
        raise Http404(e.message) from None
    return _calendar(meeting)


@require_POST
@login_required
def send_reminder(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = access_meeting(request.user, meeting_id)
        queued = meeting_send_reminder(by=request.user, meeting=meeting)
    except (NotFound, PermissionRefused) as e:
        raise Http404(e.message) from None
    except Refusal as e:
        messages.warning(request, e.message)
    else:
        messages.success(request, f"Reminder queued for {queued} members (not those who turned "
                                  "off their branch's e-mail, nor those who sent apologies).")
    return redirect(meeting)
