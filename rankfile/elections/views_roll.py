"""Pages of the roll's claims and objections, and of the voting codes' delivery: the
voter's side on "Can I vote?", the returning officer's under the manage page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.core.net import rate_limit
from rankfile.elections.access import access_election, can_run
from rankfile.elections.forms import (
    BounceForm,
    ClaimForm,
    DecisionForm,
    ObjectionForm,
    ReissueForm,
)
from rankfile.elections.models import Election, RollClaim
from rankfile.elections.rules import CATEGORY_WORDS
from rankfile.elections.services.claims import (
    claim_decide,
    claim_get,
    claim_list,
    claim_lodge,
    claim_sections,
    my_claims,
    objection_lodge,
)
from rankfile.elections.services.credentials import (
    credential_bounce_record,
    credential_bounces,
    credential_reissue,
    credentials_progress,
    reminders_start,
    roll_entry_by_reference,
)
from rankfile.elections.services.roll import current_roll, roll_my_place
from rankfile.elections.services.setup import current_rules, is_accepting_ballots

# Objections name other people's entries: a few an hour, so nobody walks the roll.
OBJECTIONS = 10
OBJECTION_SECONDS = 3600
OBJECTION_ANSWER = ("Thank you. If that membership reference is on the roll, your objection "
                    "is lodged: the returning officer will decide it and write to you with "
                    "the reason.")


def _election(slug: str) -> Election:
    try:
        return access_election(slug)
    except NotFound:
        raise Http404 from None


def can_i_vote_page(request: AuthenticatedHttpRequest, election: Election, *,
                    claim_form: ClaimForm | None = None,
                    objection_form: ObjectionForm | None = None,
                    status: int = 200) -> HttpResponse:
    """The "Can I vote?" page, with the claim and objection forms while they are open."""
    place = roll_my_place(user=request.user, election=election)
    rules = current_rules(election)
    lodging = (election.status == Election.Status.NOMINATIONS and rules is not None
               and rules.evaluated_at is not None)
    sections = claim_sections(election)
    initial = {"section": place.entry.section if place.entry else ""}
    return render(request, "elections/can_i_vote.html", {
        "election": election, "place": place, "accepting": is_accepting_ballots(election),
        "lodging": lodging, "my_claims": my_claims(user=request.user, election=election),
        "claim_form": claim_form or ClaimForm(sections=sections, initial=initial),
        "objection_form": objection_form or ObjectionForm(),
        "my_section": (CATEGORY_WORDS.get(place.entry.section, place.entry.section)
                       if place.entry else ""),
    }, status=status)


@login_required
@require_POST
def claim(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member lodges a claim on their own entry."""
    election = _election(slug)
    form = ClaimForm(request.POST, sections=claim_sections(election))
    if form.is_valid():
        try:
            claim_lodge(by=request.user, election=election, **form.cleaned_data)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, "Your claim is lodged. The returning officer will "
                             "decide it and write to you with the reason.")
            return redirect("elections:can_i_vote", election.slug)
    return can_i_vote_page(request, election, claim_form=form, status=400)


@login_required
@require_POST
def objection(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Someone on the roll objects to an entry. Answers alike whether or not the
    reference is on the roll (``objection_lodge``)."""
    election = _election(slug)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            rate_limit(request, scope="roll_objection", limit=OBJECTIONS,
                       per_seconds=OBJECTION_SECONDS, key=str(request.user.pk))
            objection_lodge(by=request.user, election=election, **form.cleaned_data)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, OBJECTION_ANSWER)
            return redirect("elections:can_i_vote", election.slug)
    return can_i_vote_page(request, election, objection_form=form, status=400)


def _officers_page(request: AuthenticatedHttpRequest, template: str, election: Election,
                   context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"election": election, "runs": can_run(request.user,
                                                                            election),
                                      "section_words": CATEGORY_WORDS, **context},
                  status=status)


def _claims_page(request: AuthenticatedHttpRequest, election: Election,
                 bound: DecisionForm | None = None, bound_pk: int | None = None) -> HttpResponse:
    try:
        claims = list(claim_list(by=request.user, election=election))
    except PermissionRefused:
        raise PermissionDenied from None
    sections = claim_sections(election)
    entries = {e.user_id: e for e in current_roll(election).filter(
        user_id__in=[c.person_id for c in claims]).select_related("membership")}
    rows = [(c, entries.get(c.person_id), bound if c.pk == bound_pk and bound is not None
             else DecisionForm(sections=sections, prefix=f"c{c.pk}"))
            for c in claims]
    return _officers_page(request, "elections/claims.html", election, {
        "open_rows": [r for r in rows if r[0].outcome == RollClaim.Outcome.OPEN],
        "decided": [r for r in rows if r[0].outcome != RollClaim.Outcome.OPEN]},
        status=400 if bound is not None else 200)


@login_required
@require_http_methods(["GET"])
def claims(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The claims and objections: open ones to decide, and those decided."""
    return _claims_page(request, _election(slug))


@login_required
@require_POST
def claim_decision(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The returning officer upholds or dismisses one claim or objection."""
    election = _election(slug)
    try:
        found = claim_get(by=request.user, election=election, pk=pk)
    except PermissionRefused:
        raise PermissionDenied from None
    except NotFound:
        raise Http404 from None
    form = DecisionForm(request.POST, sections=claim_sections(election), prefix=f"c{pk}")
    if form.is_valid():
        try:
            claim_decide(by=request.user, claim=found,
                         uphold=form.cleaned_data["outcome"] == "upheld",
                         reason=form.cleaned_data["reason"],
                         section=form.cleaned_data["section"])
        except PermissionRefused:
            raise PermissionDenied from None
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, "The decision is recorded and the people concerned "
                             "are told.")
            return redirect("elections:claims", election.slug)
    return _claims_page(request, election, form, pk)


def _credentials_page(request: AuthenticatedHttpRequest, election: Election, *,
                      reissue: ReissueForm | None = None, bounce: BounceForm | None = None,
                      status: int = 200) -> HttpResponse:
    try:
        progress = credentials_progress(by=request.user, election=election)
        bounces = credential_bounces(by=request.user, election=election)
    except PermissionRefused:
        raise PermissionDenied from None
    return _officers_page(request, "elections/credentials.html", election, {
        "progress": progress, "bounces": bounces, "reissue_form": reissue or ReissueForm(),
        "bounce_form": bounce or BounceForm()}, status)


@login_required
@require_http_methods(["GET", "POST"])
def credentials(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Voting codes: progress, bounces; reissue one, record a bounce, send reminders."""
    election = _election(slug)
    if request.method == "GET":
        return _credentials_page(request, election)
    action = request.POST.get("action", "")
    reissue = ReissueForm(request.POST if action == "reissue" else None)
    bounce = BounceForm(request.POST if action == "bounce" else None)
    try:
        if action == "reissue":
            if reissue.is_valid():
                entry = roll_entry_by_reference(by=request.user, election=election,
                                                reference=reissue.cleaned_data["reference"])
                credential_reissue(by=request.user, entry=entry)
                messages.success(request, f"A new code is on its way to {entry.user.email}; "
                                 "the old one no longer works.")
                return redirect("elections:credentials", election.slug)
        elif action == "bounce":
            if bounce.is_valid():
                credential_bounce_record(by=request.user, election=election,
                                         **bounce.cleaned_data)
                messages.success(request, "The bounce is recorded and listed below.")
                return redirect("elections:credentials", election.slug)
        elif action == "remind":
            number = reminders_start(by=request.user, election=election)
            messages.success(request, f"Reminder round {number} is on its way to everyone on "
                             "the roll who has not voted.")
            return redirect("elections:credentials", election.slug)
        else:
            raise Refusal("Choose one of the buttons.", code="no_action")
    except PermissionRefused:
        raise PermissionDenied from None
    except Refusal as e:
        if action in ("reissue", "bounce"):
            form_add_refusal(reissue if action == "reissue" else bounce, e)
        else:
            messages.warning(request, e.message)
            return redirect("elections:credentials", election.slug)
    return _credentials_page(request, election, reissue=reissue, bounce=bounce, status=400)
