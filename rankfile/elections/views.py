"""Election pages: the list, an election, "Can I vote?", the ballot paper, the
returning officer's page, and the published result. Each calls one service."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.core.net import rate_limit
from rankfile.elections.access import (
    access_election,
    can_key_postal,
    can_run,
    can_watch,
)
from rankfile.elections.forms import BallotForm, PostalForm, RulesForm, TrackersForm
from rankfile.elections.models import Election
from rankfile.elections.rules import CATEGORY_WORDS
from rankfile.elections.services.casting import (
    RANKING_RULE,
    ballot_cast_as_voter,
    ballot_cast_with_credential,
    ranking_from_numbers,
)
from rankfile.elections.services.count import (
    election_count,
    election_publish,
    published_figures,
    reconciliation,
)
from rankfile.elections.services.credentials import credential_request, credentials_issue
from rankfile.elections.services.nominations import candidates_in_statement_order
from rankfile.elections.services.postal import CAST, postal_key, postal_waiting
from rankfile.elections.services.roll import (
    current_roll,
    roll_differences,
    roll_evaluate,
    roll_figures,
    roll_freeze,
    roll_rules_set,
)
from rankfile.elections.services.setup import (
    current_rules,
    election_close,
    election_issues_before_opening,
    election_open,
    election_set_trackers,
    is_accepting_ballots,
)
from rankfile.elections.views_roll import can_i_vote_page

# A voter may ask for a new code this many times an hour (each revokes the last).
CODE_REQUESTS = 3
CODE_REQUEST_SECONDS = 3600
CODE_REQUEST_ANSWER = ("If you are on the roll and have not voted, a new voting code is on its "
                       "way to the address on the roll, and the code sent before no longer "
                       "works. You can ask 3 times an hour.")


def _election(slug: str) -> Election:
    try:
        return access_election(slug)
    except NotFound:
        raise Http404 from None


@require_GET
def election_list(request: HttpRequest) -> HttpResponse:
    return render(request, "elections/list.html",
                  {"elections": Election.objects.select_related("body")})


@require_GET
def election_detail(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    return render(request, "elections/detail.html", {
        "election": election, "accepting": is_accepting_ballots(election),
        "candidates": candidates_in_statement_order(election),
        "watches": can_watch(request.user, election),
        "keys": can_key_postal(request.user, election)})


@login_required
@require_http_methods(["GET", "POST"])
def can_i_vote(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Where the voter stands; a POST asks for a new voting code (the old one stops)."""
    election = _election(slug)
    if request.method == "POST":
        # The same answer whatever happens (sent, limited, off the roll, voted): what
        # this says must not differ by what the roll holds.
        try:
            rate_limit(request, scope="credential_request", limit=CODE_REQUESTS,
                       per_seconds=CODE_REQUEST_SECONDS, key=str(request.user.pk))
            credential_request(voter=request.user, election=election)
        except Refusal:
            pass
        messages.info(request, CODE_REQUEST_ANSWER)
        return redirect("elections:can_i_vote", election.slug)
    return can_i_vote_page(request, election)


def _on_roll(request: HttpRequest, election: Election) -> bool:
    user = request.user
    return bool(user.is_authenticated
                and current_roll(election).filter(user=user, eligible=True).exists())


@never_cache
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Fill in, review, confirm. The receipt is this response's page: the tracker is
    never put in the session or the address, so it is stored nowhere."""
    election = _election(slug)
    if not is_accepting_ballots(election):
        return render(request, "elections/not_open.html", {"election": election}, status=409)
    logged_in_voter = _on_roll(request, election)
    form = BallotForm(election, request.POST or None, needs_code=not logged_in_voter)
    context: dict[str, Any] = {"election": election, "form": form, "rule": RANKING_RULE,
                               "logged_in_voter": logged_in_voter}
    if request.method == "GET":
        return render(request, "elections/vote.html", context)
    step = request.POST.get("step", "review")
    if step == "edit":
        return render(request, "elections/vote.html", context)
    if form.is_valid():
        try:
            ranking = ranking_from_numbers(election, form.numbers())
            if step == "confirm":
                if logged_in_voter:
                    receipt = ballot_cast_as_voter(election=election,
                                                   voter=request.user,  # type: ignore[arg-type]
                                                   ranking=ranking)
                else:
                    receipt = ballot_cast_with_credential(
                        election=election, credential=form.cleaned_data["credential"],
                        ranking=ranking)
                return render(request, "elections/receipt.html",
                              {"election": election, "tracker": receipt.tracker})
            if step == "review":
                names = {c.pk: c.name for c in form.candidates}
                return render(request, "elections/review.html", {
                    **context, "choices": [names[c] for c in ranking]})
        except Refusal as e:
            form_add_refusal(form, e)
    return render(request, "elections/vote.html", context, status=400)


_ACTIONS = {
    "evaluate": (roll_evaluate, "The roll is drawn."),
    "freeze": (roll_freeze, "The roll is frozen."),
    "issue": (credentials_issue, "Voting codes are being made and mailed."),
    "open": (election_open, "The ballot is open."),
    "close": (election_close, "The ballot is closed."),
    "count": (election_count, "The count is done: compare the figures, then publish."),
    "publish": (election_publish, "The result is published."),
}


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The returning officer runs the election here; scrutineers read it."""
    election = _election(slug)
    rules_form = RulesForm(request.POST if request.POST.get("action") == "rules" else None,
                           initial={"rules": (current_rules(election).rules  # type: ignore[union-attr]
                                              if current_rules(election) else {})})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "trackers":
                trackers_form = TrackersForm(request.POST)
                if not trackers_form.is_valid():
                    raise Refusal("Choose how the bulletin shows trackers.", field="trackers")
                election_set_trackers(by=request.user, election=election,
                                      trackers=trackers_form.cleaned_data["trackers"])
                messages.success(request, "The bulletin will show trackers "
                                 f"{election.get_trackers_display().lower()}.")
            elif action == "rules":
                if not rules_form.is_valid():
                    raise Refusal(str(rules_form.errors["rules"][0]), field="rules")
                roll_rules_set(by=request.user, election=election,
                               rules=rules_form.cleaned_data["rules"])
                messages.success(request, "The rules are saved: draw the roll from them.")
            elif action in _ACTIONS:
                service, done = _ACTIONS[action]
                service(by=request.user, election=election)
                messages.success(request, done)
            else:
                raise Refusal("Choose one of the buttons.", code="no_action")
        except PermissionRefused:
            raise PermissionDenied from None
        except Refusal as e:
            messages.warning(request, e.message)
        return redirect("elections:manage", election.slug)
    try:
        figures = roll_figures(by=request.user, election=election)
    except PermissionRefused:
        raise PermissionDenied from None
    return render(request, "elections/manage.html", {
        "election": election, "figures": figures, "rules_form": rules_form,
        "runs": can_run(request.user, election),
        "issues": election_issues_before_opening(election),
        "lines": reconciliation(by=request.user, election=election),
        "differences": roll_differences(by=request.user, election=election),
        "open_claims": election.claims.filter(outcome="open").count(),
        "trackers_form": TrackersForm(initial={"trackers": election.trackers}),
        "keys": can_key_postal(request.user, election),
        "section_words": CATEGORY_WORDS})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def postal(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Key a paper ballot: two different people key each paper; a third decides a
    paper keyed differently. Nothing here shows a ballot's tracker."""
    election = _election(slug)
    try:
        waiting = postal_waiting(by=request.user, election=election)
    except PermissionRefused:
        raise PermissionDenied from None
    accepting = is_accepting_ballots(election)
    form = PostalForm(election, request.POST or None)
    context: dict[str, Any] = {"election": election, "form": form, "waiting": waiting,
                               "accepting": accepting, "rule": RANKING_RULE}
    if request.method == "GET":
        return render(request, "elections/postal.html", context)
    if form.is_valid():
        try:
            ranking = ranking_from_numbers(election, form.numbers())
            keyed = postal_key(by=request.user, election=election,
                               reference=form.cleaned_data["reference"], ranking=ranking)
        except PermissionRefused:
            raise PermissionDenied from None
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            (messages.success if keyed.outcome == CAST else messages.info)(
                request, keyed.message)
            return redirect("elections:postal", election.slug)
    return render(request, "elections/postal.html", context, status=400)


@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    if election.status != Election.Status.PUBLISHED:
        raise Http404
    result = json.loads(election.result_json)
    sections = [(CATEGORY_WORDS.get(s, s), r) for s, r in election.section_results.items()]
    # The engine's groups file (a women's minimum), to recount with: not in the BLT.
    groups = {k: election.options[k] for k in ("groups", "minimum") if k in election.options}
    return render(request, "elections/results.html", {
        "election": election, "result": result, "sections": sections,
        "lines": published_figures(election),
        "groups_json": json.dumps(groups, indent=2) if groups.get("groups") else "",
        "seed": election.options.get("seed")})


@require_GET
def declaration(request: HttpRequest, slug: str) -> HttpResponse:
    """The engine's printable declaration, as it is (one self-contained page)."""
    election = _election(slug)
    if election.status != Election.Status.PUBLISHED:
        raise Http404
    return HttpResponse(election.declaration_html, content_type="text/html; charset=utf-8")
