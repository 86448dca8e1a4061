"""Nomination pages: the public list, nominating, the nominee's consent, the nominee's own
list, and the returning officer's desk (rules, bodies' decisions, the validated list).
Each calls the services in ``services/nominations.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.elections.access import (
    can_enter_decisions,
    can_read_nominations,
    can_run,
    check_reads_nominations,
)
from rankfile.elections.forms import (
    BodyNominationForm,
    ConsentForm,
    NominateForm,
    NominationRulesForm,
)
from rankfile.elections.models import Election, Nominee
from rankfile.elections.services.nominations import (
    body_nomination_enter,
    branches_of,
    is_member_of,
    nomination_make,
    nomination_rules_get,
    nomination_rules_set,
    nominations_closed_because,
    nominations_compute,
    nominations_confirm,
    nominations_of_member,
    nominations_published,
    nominations_summary,
    nominee_consent,
    nominee_mine,
)
from rankfile.elections.views import _election
from rankfile.membership.models import AffiliatedUnion


@require_GET
def nominations(request: HttpRequest, slug: str) -> HttpResponse:
    """The period and thresholds; once confirmed, the validated list with statements."""
    election = _election(slug)
    summary = nominations_summary(election)
    return render(request, "elections/nominations.html", {
        "election": election, **summary, "published": nominations_published(election),
        "reads": can_read_nominations(request.user, election)})


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    form = NominateForm(request.POST or None)
    context: dict[str, Any] = {
        "election": election, "form": form,
        "closed_because": nominations_closed_because(election),
        "member": is_member_of(request.user, election),
        "mine": nominations_of_member(by=request.user, election=election)}
    if request.method == "POST":
        if form.is_valid():
            try:
                made = nomination_make(by=request.user, election=election,
                                       reference=form.cleaned_data["reference"])
            except PermissionRefused as e:
                messages.warning(request, e.message)
                return render(request, "elections/nominate.html", context, status=403)
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, f"You nominated {made.nominee.name}. They count as a "
                                 "candidate once they accept.")
                return redirect("elections:nominate", election.slug)
        return render(request, "elections/nominate.html", context, status=400)
    return render(request, "elections/nominate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The nominee accepts, with their statement, or declines."""
    election = _election(slug)
    nominee = nominee_mine(by=request.user, election=election)
    rules = nomination_rules_get(election)
    limit = rules.statement_max_length if rules else 2000
    initial = ({"answer": "accept" if nominee.consent == Nominee.Consent.ACCEPTED else None,
                "statement": nominee.statement} if nominee else {})
    form = ConsentForm(request.POST or None, initial=initial, limit=limit)
    context: dict[str, Any] = {"election": election, "nominee": nominee, "form": form,
                               "closed_because": nominations_closed_because(election),
                               "limit": limit}
    if nominee is None:
        return render(request, "elections/consent.html", context, status=404)
    if request.method == "POST":
        if form.is_valid():
            accept = form.cleaned_data["answer"] == "accept"
            try:
                nominee_consent(by=request.user, election=election, accept=accept,
                                statement=form.cleaned_data["statement"])
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, "You accept the nomination; your statement is saved."
                                 if accept else "You declined the nomination.")
                return redirect("elections:consent", election.slug)
        return render(request, "elections/consent.html", context, status=400)
    return render(request, "elections/consent.html", context)


@login_required
@require_GET
def my_nominations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The elections in which someone nominated the person asking."""
    mine = (Nominee.objects.filter(user=request.user).select_related("election")
            .order_by("-created_at"))
    return render(request, "elections/my_nominations.html", {"nominees": mine})


def _decision_form(election: Election, data: Any = None) -> BodyNominationForm:
    return BodyNominationForm(
        data,
        branches=[(b.pk, b.name) for b in branches_of(election).order_by("name")],
        unions=[(u.pk, u.name) for u in AffiliatedUnion.objects.order_by("name")],
        nominees=[(n.pk, n.name) for n in election.nominees.exclude(
            consent=Nominee.Consent.DECLINED).order_by("name")])


def _rules_initial(election: Election) -> dict[str, Any]:
    rules = nomination_rules_get(election)
    if rules is None:
        return {}
    fields = ("members_number", "members_share", "branches_number", "branches_share",
              "affiliates_number", "affiliates_share", "combine", "statement_order",
              "statement_max_length")
    found = {f: getattr(rules, f) for f in fields}
    for name, at in (("opens_at", election.nominations_open_at),
                     ("closes_at", election.nominations_close_at)):
        found[name] = timezone.localtime(at).strftime("%Y-%m-%dT%H:%M") if at else None
    return found


@login_required
@require_http_methods(["GET", "POST"])
def manage_nominations(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The returning officer's desk: rules, bodies' decisions, and the validated list.
    Staff enter decisions too; scrutineers read."""
    election = _election(slug)
    try:
        check_reads_nominations(request.user, election)
    except PermissionRefused:
        raise PermissionDenied from None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    rules_form = NominationRulesForm(request.POST if action == "rules" else None,
                                     initial=_rules_initial(election))
    decision_form = _decision_form(election, request.POST if action == "decision" else None)
    status = 200
    if request.method == "POST":
        try:
            if action == "rules":
                if rules_form.is_valid():
                    nomination_rules_set(by=request.user, election=election,
                                         **rules_form.cleaned_data)
                    messages.success(request, "The nomination rules are saved.")
                    return redirect("elections:manage_nominations", election.slug)
                status = 400
            elif action == "decision":
                if decision_form.is_valid():
                    data = decision_form.cleaned_data
                    nominee = election.nominees.filter(pk=data["nominee"]).first()
                    if nominee is None:
                        raise Refusal("Choose one of the nominees listed.", field="nominee")
                    body_id = data["branch"] if data["kind"] == "branch" else data["union"]
                    made = body_nomination_enter(
                        by=request.user, election=election, kind=data["kind"], body_id=body_id,
                        nominee=nominee, decided_on=data["decided_on"],
                        votes_for=data["votes_for"], votes_against=data["votes_against"],
                        abstentions=data["abstentions"], record=data["record"])
                    messages.success(request, f"{made.body_name}'s nomination of "
                                     f"{nominee.name} is entered.")
                    return redirect("elections:manage_nominations", election.slug)
                status = 400
            elif action == "confirm":
                nominations_confirm(by=request.user, election=election)
                messages.success(request, "The validated list is confirmed: its candidates "
                                 "are on the ballot.")
                return redirect("elections:manage_nominations", election.slug)
            else:
                raise Refusal("Choose one of the buttons.", code="no_action")
        except PermissionRefused:
            raise PermissionDenied from None
        except Refusal as e:
            form = rules_form if action == "rules" else decision_form
            if action in ("rules", "decision"):
                form_add_refusal(form, e)
                status = 400
            else:
                messages.warning(request, e.message)
                return redirect("elections:manage_nominations", election.slug)
    rules = nomination_rules_get(election)
    return render(request, "elections/manage_nominations.html", {
        "election": election, "rules": rules, "rules_form": rules_form,
        "decision_form": decision_form,
        "results": nominations_compute(by=request.user, election=election),
        "closed_because": nominations_closed_because(election, rules=rules),
        "runs": can_run(request.user, election),
        "enters": can_enter_decisions(request.user, election),
        "deadline_passed": bool(election.nominations_close_at
                                and timezone.now() >= election.nominations_close_at),
    }, status=status)
