"""The vetting pages: the queue, an application, bulk decisions, appeals, the exclusion
list, duplicates and unions' lists, and the rejected applicant's own page.

Each view makes one service call and turns a Refusal into an error on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.branches.models import Body
from rankfile.core.db import custom_plans
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.membership.models import Membership
from rankfile.vetting import services
from rankfile.vetting.access import (
    access_appeal,
    access_application,
    access_pair,
    can_decide_appeal,
    can_keep_lists,
    can_vet,
)
from rankfile.vetting.forms import (
    AppealDecisionForm,
    AppealForm,
    BulkForm,
    DecisionForm,
    MergeForm,
    QueueFilterForm,
    UnionUploadForm,
    UploadForm,
)
from rankfile.vetting.models import Appeal, Decision, ExclusionEntry, ReasonCode, UnionListEntry
from rankfile.vetting.reasons import plain_words

PAGE_SIZE = 50
COUNT_CAP = 1_000


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "vetting/forbidden.html", status=403)


def _application_or_404(request: HttpRequest, reference: str) -> Membership:
    try:
        return access_application(request.user, reference)
    except Refusal as e:
        raise Http404(e.message) from None


def _filters(form: QueueFilterForm) -> services.QueueFilter:
    if not form.is_valid():
        return services.QueueFilter()
    d = form.cleaned_data
    body = d["region"].pk if d["region"] else None
    if d["body"]:
        code = d["body"].strip().upper().replace("\x00", "")
        found = Body.objects.filter(code__iexact=code).values_list("pk", flat=True).first()
        if found is None:
            form.add_error("body", f"There is no constituency or branch with the code {code}.")
            body = -1  # nothing matches: an unknown code shows no applications
        else:
            body = found
    return services.QueueFilter(category=d["category"] or "", body=body,
                                flag=d["flag"] or "", older_than_days=d["older_than_days"])


@require_GET
@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    form = QueueFilterForm(request.GET or None)
    qs = services.vetting_queue(by=request.user, filters=_filters(form))
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    # Planned for their own values every time: after five runs PostgreSQL would
    # switch these prepared statements to a generic plan that cannot tell that
    # 'pending' is rare, and the page went from 40 ms to 400 (bench/vetting).
    with custom_plans():
        rows = list(qs.prefetch_related("vetting_flags")[start:start + PAGE_SIZE + 1])
        # Counting 183,000 waiting rows on every page costs more than the page: count
        # up to a cap and say "more than" beyond it.
        # Ordered, so that PostgreSQL walks the queue's index rather than the whole table.
        waiting = qs[:COUNT_CAP + 1].count()
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "vetting/queue.html", {
        "form": form, "rows": rows[:PAGE_SIZE], "number": number,
        "has_next": len(rows) > PAGE_SIZE, "has_previous": number > 1,
        "waiting": min(waiting, COUNT_CAP), "more": waiting > COUNT_CAP,
        "query": query.urlencode(), "bulk": BulkForm(prefix="bulk"),
        # One reverse, not fifty: each row links to queue_url + its reference.
        "queue_url": reverse("vetting:queue"),
        "keeps_lists": can_keep_lists(request.user)})


def _application_page(request: HttpRequest, membership: Membership, *,
                      form: DecisionForm | None = None, status: int = 200) -> HttpResponse:
    services.vetting_record_access(by=request.user, membership=membership,
                                   why="vetting the application")
    return render(request, "vetting/application.html", {
        "membership": membership, "flags": membership.vetting_flags.all(),
        "decisions": membership.vetting_decisions.select_related("by"),
        "form": form or DecisionForm(), "pending": membership.vetting == Membership.Vetting.PENDING,
        "plain_words": {c: plain_words(c) for c in ReasonCode.values}}, status=status)


@require_GET
@login_required
def application(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    return _application_page(request, _application_or_404(request, reference))


@require_POST
@login_required
def decide(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    membership = _application_or_404(request, reference)
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["outcome"] == Decision.Outcome.APPROVED:
                services.vetting_approve(membership=membership, by=request.user, note=d["note"])
            else:
                services.vetting_reject(membership=membership, by=request.user,
                                        reason_code=d["reason_code"], note=d["note"])
        except PermissionRefused:
            return _forbidden(request)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, f"Application {membership.reference} "
                                      f"{'approved' if d['outcome'] == 'approved' else 'rejected'}.")
            return redirect("vetting:queue")
    return _application_page(request, membership, form=form, status=400)


@require_POST
@login_required
def union_check(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    membership = _application_or_404(request, reference)
    try:
        outcome = services.union_verify(membership=membership, by=request.user)
    except PermissionRefused:
        return _forbidden(request)
    except Refusal as e:
        messages.error(request, e.message)
    else:
        messages.success(request, outcome.message)
    return redirect("vetting:application", membership.reference)


@require_POST
@login_required
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    form = BulkForm(request.POST, prefix="bulk")
    references = [r for r in request.POST.getlist("reference") if r][:500]
    if form.is_valid() and not references:
        references = [r for r in form.cleaned_data["references"].split(",") if r][:500]
    if not form.is_valid() or not references:
        if not references:
            messages.error(request, "Tick the applications to decide first.")
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("vetting:queue")
    d = form.cleaned_data
    chosen = list(services.vetting_queue(by=request.user).filter(reference__in=references))
    if d["confirm"] != "yes":
        confirm = BulkForm(prefix="bulk", initial={**d, "references": ",".join(references),
                                                   "confirm": "yes"})
        return render(request, "vetting/bulk_confirm.html", {
            "form": confirm, "chosen": chosen, "outcome": d["outcome"],
            "reason": ReasonCode(d["reason_code"]).label if d["reason_code"] else "",
            "missing": len(set(references)) - len(chosen)})
    try:
        result = services.vetting_bulk(references=references, by=request.user,
                                       outcome=d["outcome"], reason_code=d["reason_code"],
                                       note=d["note"])
    except PermissionRefused:
        return _forbidden(request)
    except Refusal as e:
        messages.error(request, e.message)
        return redirect("vetting:queue")
    verb = "approved" if d["outcome"] == Decision.Outcome.APPROVED else "rejected"
    messages.success(request, f"{len(result.done)} application"
                              f"{'s' if len(result.done) != 1 else ''} {verb}, each logged.")
    for reference, why in result.refused:
        messages.error(request, f"{reference}: {why}")
    return redirect("vetting:queue")


@require_POST
@login_required
def run_checks(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        report = services.vetting_check(by=request.user)
    except PermissionRefused:
        return _forbidden(request)
    messages.success(request, f"Checked {report.checked} applications: "
                              f"{report.exclusion_flags} new exclusion list matches, "
                              f"{report.duplicate_pairs} new possible duplicates, "
                              f"{report.union_verified} confirmed by their union, "
                              f"{report.union_flags} not confirmed.")
    return redirect("vetting:queue")


# -- appeals ---------------------------------------------------------------------------------


@require_GET
@login_required
def appeals(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    waiting = [a for a in Appeal.objects.filter(outcome=Appeal.Outcome.PENDING)
               .select_related("membership", "rejection", "rejection__by")
               if services.can_vet_membership(request.user, a.membership)]
    rows = [{"appeal": a, "form": AppealDecisionForm(prefix=f"appeal-{a.pk}"),
             "may_decide": can_decide_appeal(request.user, a),
             "reason": ReasonCode(a.rejection.reason_code).label} for a in waiting]
    return render(request, "vetting/appeals.html", {"rows": rows})


@require_POST
@login_required
def appeal_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    try:
        appeal = access_appeal(request.user, pk)
    except Refusal as e:
        raise Http404(e.message) from None
    form = AppealDecisionForm(request.POST, prefix=f"appeal-{pk}")
    if form.is_valid():
        try:
            services.appeal_decide(appeal=appeal, by=request.user,
                                   uphold=form.cleaned_data["outcome"] == "uphold",
                                   note=form.cleaned_data["note"])
        except Refusal as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"Appeal of {appeal.membership.reference} decided: "
                                      f"{appeal.get_outcome_display().lower()}.")
    else:
        messages.error(request, "Choose to uphold or to dismiss the appeal.")
    return redirect("vetting:appeals")


# -- the exclusion list and unions' lists ----------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def exclusions(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_keep_lists(request.user):
        return _forbidden(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[services.RowError] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                added = services.exclusion_import(by=request.user,
                                                  data=form.cleaned_data["file"].read())
            except services.BadFile as e:
                form_add_refusal(form, e)
                errors = e.errors
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, f"{added} people added to the exclusion list. "
                                          "Run the checks to flag their applications.")
                return redirect("vetting:exclusions")
    entries = Paginator(ExclusionEntry.objects.all(), 100).get_page(request.GET.get("page"))
    return render(request, "vetting/exclusions.html",
                  {"form": form, "errors": errors, "entries": entries}, status=status)


@require_POST
@login_required
def exclusion_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_keep_lists(request.user):
        return _forbidden(request)
    entry = ExclusionEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404("No such entry.")
    services.exclusion_remove(by=request.user, entry=entry)
    messages.success(request, f"{entry.name} removed from the exclusion list.")
    return redirect("vetting:exclusions")


@require_http_methods(["GET", "POST"])
@login_required
def unions(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_keep_lists(request.user):
        return _forbidden(request)
    form = UnionUploadForm(request.POST or None, request.FILES or None)
    errors: list[services.RowError] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            union = form.cleaned_data["union"]
            try:
                report = services.union_list_import(by=request.user, union=union,
                                                    data=form.cleaned_data["file"].read())
            except services.BadFile as e:
                form_add_refusal(form, e)
                errors = e.errors
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, f"{union.name}'s list is loaded. Of its "
                                          f"{report.checked} supporters waiting, "
                                          f"{report.union_verified} are confirmed and "
                                          f"{report.union_flags} are flagged.")
                return redirect("vetting:unions")
    from django.db.models import Count, Max

    lists = (UnionListEntry.objects.values("union__name")
             .annotate(n=Count("pk"), at=Max("uploaded_at")).order_by("union__name"))
    return render(request, "vetting/unions.html", {"form": form, "errors": errors,
                                                   "lists": lists}, status=status)


# -- duplicates ------------------------------------------------------------------------------


@require_GET
@login_required
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    pairs = Paginator(services.duplicate_list(by=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "vetting/duplicates.html", {"pairs": pairs})


def _pair_page(request: HttpRequest, pk: int, *, form: MergeForm | None = None,
               status: int = 200) -> HttpResponse:
    try:
        pair = access_pair(request.user, pk)
    except Refusal as e:
        raise Http404(e.message) from None
    sides = []
    for m in (pair.first, pair.second):
        services.vetting_record_access(by=request.user, membership=m,
                                       why="comparing a possible duplicate")
        sides.append({"m": m, "history": m.history.all(), "payments": m.payments.all(),
                      "email": m.user.email})
    choices = [(m.pk, f"{m.reference} ({m.full_name}, applied {m.applied_at:%d %B %Y})")
               for m in (pair.first, pair.second)]
    return render(request, "vetting/pair.html", {
        "pair": pair, "sides": sides, "form": form or MergeForm(choices=choices)}, status=status)


@require_GET
@login_required
def pair(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    return _pair_page(request, pk)


@require_POST
@login_required
def pair_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    try:
        found = access_pair(request.user, pk)
    except Refusal as e:
        raise Http404(e.message) from None
    form = MergeForm(request.POST, choices=[(found.first_id, ""), (found.second_id, "")])
    if form.is_valid():
        try:
            kept = services.duplicate_merge(pair=found, by=request.user,
                                            keep=form.cleaned_data["keep"])
        except PermissionRefused:
            return _forbidden(request)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, f"Merged: {kept.reference} is kept; the other membership "
                                      "ended with its history kept.")
            return redirect("vetting:duplicates")
    shown = MergeForm(request.POST, choices=[
        (m.pk, f"{m.reference} ({m.full_name})") for m in (found.first, found.second)])
    shown.is_valid()
    for error in form.non_field_errors():
        shown.add_error(None, error)
    return _pair_page(request, pk, form=shown, status=400)


@require_POST
@login_required
def pair_distinct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can_vet(request.user):
        return _forbidden(request)
    try:
        found = access_pair(request.user, pk)
    except Refusal as e:
        raise Http404(e.message) from None
    try:
        services.duplicate_mark_distinct(pair=found, by=request.user)
    except PermissionRefused:
        return _forbidden(request)
    except Refusal as e:
        messages.error(request, e.message)
        return redirect("vetting:pair", pk)
    messages.success(request, f"{found.first.reference} and {found.second.reference} are marked "
                              "as different people.")
    return redirect("vetting:duplicates")


# -- the applicant's own page ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = []
    form = AppealForm(request.POST or None)
    status = 200
    rejected = list(Membership.objects.filter(user=request.user, vetting=Membership.Vetting.REJECTED)
                    .select_related("category"))
    if request.method == "POST":
        target = next((m for m in rejected if m.reference == request.POST.get("reference")), None)
        if target is None:
            raise Http404("You have no rejected application with that reference.")
        status = 400
        if form.is_valid():
            try:
                services.appeal_lodge(membership=target, by=request.user,
                                      statement=form.cleaned_data["statement"])
            except Refusal as e:
                form_add_refusal(form, e)
            else:
                messages.success(request, "Your appeal is sent. Someone who did not decide "
                                          "your application will look at it, and we will e-mail "
                                          "you their decision.")
                return redirect("vetting:me")
    for m in rejected:
        decision = services.latest_rejection(m)
        appeal = Appeal.objects.filter(membership=m).first()
        rows.append({"membership": m, "decision": decision,
                     "reason": plain_words(decision.reason_code) if decision else "",
                     "deadline": services.appeal_deadline(decision) if decision else None,
                     "appeal": appeal,
                     "may_appeal": appeal is None and decision is not None
                     and timezone.now() <= services.appeal_deadline(decision)})
    return render(request, "vetting/me.html", {"rows": rows, "form": form}, status=status)
