"""After an open selection: applicants, nominations, the shortlist, hustings, the ballot."""

from __future__ import annotations

import datetime as dt
import json

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.actors import is_system
from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.elections.models import Election
from rankfile.elections.services.setup import candidate_add, election_create
from rankfile.meetings.models import Meeting
from rankfile.meetings.services.text import checked_text
from rankfile.selections.access import can_manage, check_manages
from rankfile.selections.models import Applicant, Decision, Hustings, Selection

S = Selection.Stage


def _check_stage(selection: Selection, *stages: str) -> None:
    if selection.stage not in stages:
        raise Conflict(f"This selection is at the stage “{selection.get_stage_display()}”: "
                       "that step is not open now.", code="wrong_stage")


def applicant_add(*, by: Actor, selection: Selection, name: str, statement: str = "") -> Applicant:
    """Add someone seeking the nomination (while nominations are open).

    Raises:
        PermissionRefused: ``by`` does not manage the selection.
        Conflict: nominations are not open.
        Refusal: no name, a name already there, or unusable text.
    """
    check_manages(by, selection)
    _check_stage(selection, S.NOMINATIONS)
    name = " ".join(checked_text(name, field="name", label="applicant's name",
                                 max_length=200).split())
    statement = checked_text(statement, field="statement", label="statement", max_length=5000,
                             required=False)
    if selection.applicants.filter(name=name).exists():
        raise Refusal(f"{name} is an applicant already.", code="duplicate", field="name")
    try:
        with transaction.atomic():
            return Applicant.objects.create(selection=selection, name=name, statement=statement,
                                            added_at=timezone.now())
    except IntegrityError:
        raise Refusal(f"{name} is an applicant already.", code="duplicate", field="name") from None


def nominations_of(selection: Selection) -> dict[int, int]:
    """How many nominations each applicant has, by applicant id."""
    return dict(Decision.objects.filter(selection=selection, purpose=Decision.Purpose.NOMINATION)
                .values_list("applicant_id").annotate(n=Count("id")).values_list("applicant_id", "n"))


def nominations_close(*, by: Actor, selection: Selection) -> Selection:
    """Close nominations and move to the shortlist.

    Raises:
        Conflict: not in nominations, or nobody has been nominated.
    """
    check_manages(by, selection)
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        _check_stage(locked, S.NOMINATIONS)
        if not nominations_of(locked):
            raise Conflict("No branch or affiliate has nominated anyone yet: wait for their "
                           "nominations before closing.", code="no_nominations")
        locked.stage = S.SHORTLIST
        locked.nominations_close_at = timezone.now()
        locked.save(update_fields=("stage", "nominations_close_at"))
    selection.refresh_from_db()
    return selection


def shortlist_decide(*, by: Actor, applicant: Applicant, shortlisted: bool,
                     reason: str) -> Applicant:
    """The officers put a nominated applicant on the shortlist, or leave them off, saying why.

    Raises:
        Refusal: no reason given, or the applicant has no nomination.
        Conflict: not shortlisting now.
    """
    selection = applicant.selection
    check_manages(by, selection)
    _check_stage(selection, S.SHORTLIST)
    reason = checked_text(reason, field="reason", label="reason", max_length=2000)
    if shortlisted and not applicant.nominations.exists():
        raise Refusal(f"{applicant.name} has no nomination from a branch or an affiliate: "
                      "only nominated applicants are shortlisted.", code="not_nominated",
                      field="applicant")
    applicant.shortlisted, applicant.shortlist_reason = shortlisted, reason
    applicant.shortlisted_by = by if isinstance(by, User) else None
    applicant.save(update_fields=("shortlisted", "shortlist_reason", "shortlisted_by"))
    return applicant


def shortlist_publish(*, by: Actor, selection: Selection) -> Selection:
    """Publish the shortlist and move to hustings.

    Raises:
        Conflict: a nominated applicant is still to be decided, or nobody is shortlisted.
    """
    check_manages(by, selection)
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        _check_stage(locked, S.SHORTLIST)
        nominated = locked.applicants.filter(pk__in=list(nominations_of(locked)))
        waiting = [a.name for a in nominated if a.shortlisted is None]
        if waiting:
            raise Conflict(f"Decide on every nominated applicant first: {', '.join(waiting)}.",
                           code="undecided_applicants")
        if not locked.applicants.filter(shortlisted=True).exists():
            raise Conflict("Shortlist at least one applicant.", code="empty_shortlist")
        locked.stage = S.HUSTINGS
        locked.save(update_fields=("stage",))
    selection.refresh_from_db()
    return selection


def hustings_add(*, by: Actor, selection: Selection, meeting: Meeting | None) -> Hustings:
    """A meeting of the constituency becomes one of the selection's hustings.

    Raises:
        Refusal: no meeting, or a meeting of another body.
        Conflict: not at the hustings stage, or the meeting is listed already.
    """
    check_manages(by, selection)
    _check_stage(selection, S.SHORTLIST, S.HUSTINGS)
    if meeting is None or meeting.body_id != selection.constituency_id:
        raise Refusal(f"Hustings are meetings of {selection.constituency}: call one there and "
                      "choose it.", code="other_body", field="meeting")
    try:
        with transaction.atomic():
            return Hustings.objects.create(selection=selection, meeting=meeting)
    except IntegrityError:
        raise Conflict("That meeting is a hustings already.", code="duplicate",
                       field="meeting") from None


def ballot_create(*, by: Actor, selection: Selection, ballot_opens_at: dt.datetime | None = None,
                  ballot_closes_at: dt.datetime | None = None) -> Election:
    """Create the members' ballot, one member one vote: an election of the constituency
    (alternative vote, one seat) with the shortlisted applicants as its candidates.

    The returning officer then draws and freezes its roll and opens it, as for
    any election. Only a returning officer of the constituency creates it.

    Raises:
        PermissionRefused: ``by`` is not a returning officer there.
        Conflict: not at the hustings stage, or the ballot exists.
    """
    _check_stage(selection, S.HUSTINGS)
    shortlisted = list(selection.applicants.filter(shortlisted=True).order_by("name"))
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        _check_stage(locked, S.HUSTINGS)
        slug = slugify(f"selection-{locked.slug}")[:80]
        election = election_create(
            by=by, body=locked.constituency, slug=slug, title=f"Selection: {locked.office}",
            method="irv", ballot_opens_at=ballot_opens_at, ballot_closes_at=ballot_closes_at)
        for applicant in shortlisted:
            candidate_add(by=by, election=election, name=applicant.name,
                          statement=applicant.statement)
        locked.election, locked.stage = election, S.BALLOT
        locked.save(update_fields=("election", "stage"))
    selection.refresh_from_db()
    return election


def selection_conclude(*, by: Actor, selection: Selection) -> Selection:
    """Record the candidate the members' ballot selected, once its result is published.

    Raises:
        Conflict: no ballot yet, or its result is not published.
    """
    if not (is_system(by) or can_manage(by, selection.constituency)):
        raise PermissionRefused("Only the constituency's secretary records the result.",
                                code="not_constituency_secretary")
    _check_stage(selection, S.BALLOT)
    election = selection.election
    if election is None or election.status != Election.Status.PUBLISHED:
        raise Conflict("Wait for the ballot's result to be published.", code="not_published")
    elected = json.loads(election.result_json or "{}").get("elected") or []
    if not elected:
        raise Conflict("The ballot's result elects no one.", code="no_winner")
    first = elected[0]
    if isinstance(first, int):
        first = json.loads(election.result_json)["candidates"][first]
    with transaction.atomic():
        updated = Selection.objects.filter(pk=selection.pk, stage=S.BALLOT).update(
            stage=S.SELECTED, selected_name=str(first), selected_at=timezone.now())
        if not updated:
            raise Conflict("The result is recorded already.", code="wrong_stage")
    selection.refresh_from_db()
    return selection
