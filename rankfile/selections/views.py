"""Selections pages: the public record and outcome, starting one, linking a body's
decision to its meeting, and the officers' page for the later stages."""

from __future__ import annotations

from fractions import Fraction

from django import forms as forms_
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.models import Role
from rankfile.accounts.roles import has_role
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.meetings.models import Meeting, Question
from rankfile.selections.access import (
    access_selection,
    can_link_for,
    can_manage,
    deciding_bodies,
    linkable_bodies,
    managed_constituencies,
)
from rankfile.selections.forms import (
    ApplicantForm,
    BallotForm,
    DecisionForm,
    HustingsForm,
    SelectionForm,
    ShortlistForm,
)
from rankfile.selections.models import Decision, Selection
from rankfile.selections.rules import threshold_words
from rankfile.selections.selectors import (
    constituency_meetings,
    decision_rows,
    linkable_questions,
    selection_list,
)
from rankfile.selections.services.candidates import (
    applicant_add,
    ballot_create,
    hustings_add,
    nominations_close,
    nominations_of,
    selection_conclude,
    shortlist_decide,
    shortlist_publish,
)
from rankfile.selections.services.trigger import (
    decision_link,
    selection_create,
    trigger_conclude,
    trigger_tally,
)

P = Decision.Purpose


def _selection(slug: str) -> Selection:
    try:
        return access_selection(slug)
    except NotFound as e:
        raise Http404(e.message) from None


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code[:40].replace("\x00", "")).first()
    if body is None:
        raise Http404("There is no such body.")
    return body


def index(request: HttpRequest) -> HttpResponse:
    selections = list(selection_list())
    for s in selections:
        s.mine = _awaiting(request, s)  # type: ignore[attr-defined]
    return render(request, "selections/list.html", {
        "selections": selections, "constituencies": managed_constituencies(request.user)})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    selection = _selection(slug)
    applicants = list(selection.applicants.all())
    counts = nominations_of(selection)
    for a in applicants:
        a.nomination_count = counts.get(a.pk, 0)  # type: ignore[attr-defined]
    tally = trigger_tally(selection) if selection.sitting_representative else None
    return render(request, "selections/detail.html", {
        "selection": selection,
        "trigger_rows": decision_rows(selection, P.TRIGGER),
        "nomination_rows": decision_rows(selection, P.NOMINATION),
        "tally": tally,
        "reached": tally is not None and not selection.outcome and tally.is_open(selection),
        "branch_threshold": threshold_words(Fraction(selection.branch_threshold)),
        "affiliate_threshold": threshold_words(Fraction(selection.affiliate_threshold)),
        "applicants": applicants,
        "hustings": selection.hustings.select_related("meeting"),
        "mine": _awaiting(request, selection),
        "manages": can_manage(request.user, selection.constituency)})


def _awaiting(request: HttpRequest, selection: Selection) -> list[Body]:
    """The bodies whose decision ``request.user`` may link now and has not linked yet."""
    if selection.stage == Selection.Stage.TRIGGER and not selection.outcome:
        purpose = P.TRIGGER
    elif selection.stage == Selection.Stage.NOMINATIONS:
        purpose = P.NOMINATION
    else:
        return []
    done = set(Decision.objects.filter(selection=selection, purpose=purpose)
               .values_list("body_id", flat=True))
    return [b for b in linkable_bodies(request.user, selection) if b.pk not in done]


@require_http_methods(["GET", "POST"])
@login_required
def new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    constituency = _body(code)
    if not can_manage(request.user, constituency):
        raise Http404("There is no such constituency, or you do not run its selections.")
    form = SelectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            selection = selection_create(by=request.user, constituency=constituency,
                                         **form.cleaned_data)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, "Selection started.")
            return redirect(selection)
    status = 400 if request.method == "POST" else 200
    return render(request, "selections/new.html", {"form": form, "constituency": constituency},
                  status=status)


@require_http_methods(["GET", "POST"])
@login_required
def decide(request: AuthenticatedHttpRequest, slug: str, code: str) -> HttpResponse:
    selection = _selection(slug)
    body = _body(code)
    if not can_link_for(request.user, body) or body not in deciding_bodies(selection):
        raise Http404("There is no such body in this selection, or you are not its secretary.")
    purpose = P.NOMINATION if selection.stage == Selection.Stage.NOMINATIONS else P.TRIGGER
    questions = linkable_questions(selection, body)
    applicants = list(selection.applicants.all()) if purpose == P.NOMINATION else None
    form = DecisionForm(request.POST or None, questions=questions, applicants=applicants)
    if request.method == "POST" and form.is_valid():
        question = (Question.objects.select_related("meeting", "motion")
                    .filter(pk=form.cleaned_data["question"]).first())
        applicant = (selection.applicants.filter(pk=form.cleaned_data["applicant"]).first()
                     if applicants is not None else None)
        try:
            decision_link(by=request.user, selection=selection, body=body, question=question,
                          purpose=purpose, applicant=applicant)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, f"{body}'s decision is recorded.")
            return redirect(selection)
    status = 400 if request.method == "POST" else 200
    return render(request, "selections/decide.html", {
        "selection": selection, "body": body, "form": form, "purpose": purpose,
        "questions": questions}, status=status)


def _runs_ballot(request: AuthenticatedHttpRequest, selection: Selection) -> bool:
    return has_role(request.user, Role.Kind.RETURNING_OFFICER, selection.constituency)


ACTIONS = ("conclude", "applicant", "close", "shortlist", "publish", "hustings", "ballot",
           "result")


@require_http_methods(["GET", "POST"])
@login_required
def manage(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    selection = _selection(slug)
    manages, runs = can_manage(request.user, selection.constituency), _runs_ballot(request,
                                                                                  selection)
    if not (manages or runs):
        raise Http404("There is no such selection, or you do not run it.")
    action = request.POST.get("action", "")[:20] if request.method == "POST" else ""
    data = request.POST if action else None
    forms: dict[str, forms_.Form] = {"applicant": ApplicantForm(data if action == "applicant" else None),
             "shortlist": ShortlistForm(data if action == "shortlist" else None),
             "hustings": HustingsForm(data if action == "hustings" else None),
             "ballot": BallotForm(data if action == "ballot" else None)}
    meetings = constituency_meetings(selection)
    hustings_field = forms["hustings"].fields["meeting"]
    hustings_field.choices = [("", "Choose a meeting")] + [  # type: ignore[attr-defined]
        (m.pk, f"{m.title}, {m.starts_at:%-d %B %Y %H:%M}") for m in meetings]
    if request.method == "POST":
        try:
            done = _act(request, selection, action, forms)
        except PermissionRefused as e:
            messages.warning(request, e.message)
            return redirect("selections:manage", selection.slug)
        except Refusal as e:
            form = forms.get(action)
            if form is not None:
                form_add_refusal(form, e)
            else:
                messages.warning(request, e.message)
                return redirect("selections:manage", selection.slug)
        else:
            if done:
                messages.success(request, done)
                return redirect("selections:manage", selection.slug)
    selection.refresh_from_db()
    counts = nominations_of(selection)
    applicants = list(selection.applicants.all())
    for a in applicants:
        a.nomination_count = counts.get(a.pk, 0)  # type: ignore[attr-defined]
    status = 400 if request.method == "POST" else 200
    return render(request, "selections/manage.html", {
        "selection": selection, "forms": forms, "applicants": applicants,
        "manages": manages, "runs": runs, "tally": trigger_tally(selection),
        "hustings": selection.hustings.select_related("meeting")}, status=status)


def _act(request: AuthenticatedHttpRequest, selection: Selection, action: str,
         forms: dict[str, forms_.Form]) -> str:
    """Do ``action``; the message to show, or "" when a form has errors to show."""
    by = request.user
    if action == "conclude":
        done = trigger_conclude(by=by, selection=selection)
        return f"The rules are applied: {done.get_outcome_display().lower()}."
    if action == "close":
        nominations_close(by=by, selection=selection)
        return "Nominations are closed: shortlist the nominated applicants."
    if action == "publish":
        shortlist_publish(by=by, selection=selection)
        return "The shortlist is published."
    if action == "result":
        done = selection_conclude(by=by, selection=selection)
        return f"{done.selected_name} is the selected candidate."
    form = forms.get(action)
    if form is None:
        raise Refusal("Choose one of the page's buttons.", code="bad_action")
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    if action == "applicant":
        applicant = applicant_add(by=by, selection=selection, **data)
        return f"{applicant.name} is an applicant."
    if action == "shortlist":
        chosen = selection.applicants.filter(pk=data["applicant"]).first()
        if chosen is None:
            raise Refusal("There is no such applicant.", code="no_applicant")
        shortlist_decide(by=by, applicant=chosen, shortlisted=data["shortlisted"],
                         reason=data["reason"])
        return f"Decision on {chosen.name} recorded."
    if action == "hustings":
        meeting = Meeting.objects.filter(pk=data["meeting"]).first()
        hustings_add(by=by, selection=selection, meeting=meeting)
        return "The hustings is listed."
    election = ballot_create(by=by, selection=selection, **data)
    return (f"The members' ballot is created: draw its roll and open it from "
            f"the election's page ({election.get_absolute_url()}).")
