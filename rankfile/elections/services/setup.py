"""Setting up an election, and moving it from nominations to open to closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.branches.models import Body
from rankfile.core.actors import is_system
from rankfile.core.errors import Conflict, PermissionRefused, Refusal, full_clean_or_refuse
from rankfile.elections.access import check_runs, check_runs_in
from rankfile.elections.models import (
    METHOD_CHOICES,
    Candidate,
    Election,
    NominationRules,
    RollClaim,
    RollRules,
)
from rankfile.elections.rules import CATEGORY_WORDS
from rankfile.elections.services.audit import audit_append

S = Election.Status


def election_create(*, by: Actor, body: Body, slug: str, title: str, seats: int = 1,
                    method: str = "irv", sections: list[str] | None = None,
                    options: dict[str, Any] | None = None,
                    ballot_opens_at: dt.datetime | None = None,
                    ballot_closes_at: dt.datetime | None = None) -> Election:
    """A new election of ``body``, in nominations. ``by`` must be its returning officer."""
    check_runs_in(by, body)
    if method not in dict(METHOD_CHOICES):
        raise Refusal(f"Choose a counting method among: {', '.join(dict(METHOD_CHOICES))}.",
                      code="bad_method", field="method")
    sections = list(sections or [])
    if any(s not in CATEGORY_WORDS for s in sections):
        raise Refusal(f"Sections are categories: {', '.join(CATEGORY_WORDS)}.",
                      code="bad_section", field="sections")
    if seats < 1:
        raise Refusal("An election fills at least one seat.", code="bad_seats", field="seats")
    if ballot_opens_at and ballot_closes_at and ballot_closes_at <= ballot_opens_at:
        raise Refusal("The ballot must close after it opens.", code="bad_period",
                      field="ballot_closes_at")
    election = Election(body=body, slug=slug, title=title, seats=seats, method=method,
                        sections=sections, options=options or {}, created_at=timezone.now(),
                        ballot_opens_at=ballot_opens_at, ballot_closes_at=ballot_closes_at)
    full_clean_or_refuse(election)
    election.save()
    return election


def candidate_add(*, by: Actor, election: Election, name: str, statement: str = "") -> Candidate:
    """Add a candidate (their consent is recorded by the returning officer, who adds them)."""
    check_runs(by, election)
    if election.status != S.NOMINATIONS:
        raise Conflict("Candidates are added only while nominations are open.",
                       code="nominations_closed")
    name = " ".join(name.split())
    if not name or election.candidates.filter(name=name).exists():
        raise Refusal("Give each candidate a name, different from the others'.",
                      code="bad_candidate", field="name")
    candidate = Candidate(election=election, name=name, statement=statement,
                          position=election.candidates.count())
    full_clean_or_refuse(candidate)
    candidate.save()
    return candidate


def candidate_withdraw(*, by: Actor, candidate: Candidate) -> Candidate:
    check_runs(by, candidate.election)
    if candidate.election.status in (S.CLOSED, S.PUBLISHED):
        raise Conflict("A candidate cannot withdraw after the close.", code="closed")
    candidate.withdrawn = True
    candidate.save(update_fields=("withdrawn",))
    return candidate


def election_set_trackers(*, by: Actor, election: Election, trackers: str) -> Election:
    """Choose how the bulletin shows trackers: beside their rankings, or apart from them.

    Chosen before the box opens, so every voter knows when they vote what their
    tracker will let them (and anyone they show it to) check.
    """
    check_runs(by, election)
    if trackers not in Election.Trackers.values:
        raise Refusal("Choose trackers beside their rankings or listed apart.",
                      code="bad_trackers", field="trackers")
    with transaction.atomic():
        updated = Election.objects.filter(pk=election.pk, status=S.NOMINATIONS).update(
            trackers=trackers)
        if not updated:
            raise Conflict("How trackers are shown is chosen before the ballot opens.",
                           code="not_in_nominations")
        audit_append(election=election, action="trackers_chosen", by=by,
                     details={"trackers": trackers})
    election.refresh_from_db()
    return election


def current_rules(election: Election) -> RollRules | None:
    return election.rule_sets.order_by("-version").first()


def election_open(*, by: Actor, election: Election) -> Election:
    """Open the ballot box. Refused until the roll is frozen and there are two candidates."""
    check_runs(by, election)
    problems = election_issues_before_opening(election)
    if problems:
        raise Conflict(" ".join(problems), code="not_ready")
    with transaction.atomic():
        updated = Election.objects.filter(pk=election.pk, status=S.NOMINATIONS).update(
            status=S.OPEN)
        if not updated:
            raise Conflict("This election is not in nominations: it cannot be opened.",
                           code="not_in_nominations")
        audit_append(election=election, action="box_opened", by=by, details={
            "candidates": list(election.candidates.filter(withdrawn=False)
                               .order_by("position", "pk").values_list("name", flat=True))})
    election.refresh_from_db()
    return election


def election_issues_before_opening(election: Election) -> list[str]:
    """What to do before the box can open, in plain words (helios' issues_before_freeze)."""
    problems = []
    nominating = NominationRules.objects.filter(election=election).first()
    if nominating is not None and nominating.confirmed_at is None:
        problems.append("Confirm the validated list of nominations after the deadline.")
    if election.candidates.filter(withdrawn=False).count() < 1:
        problems.append("Add at least one candidate.")
    rules = current_rules(election)
    if rules is None:
        problems.append("Write the eligibility rules and draw the roll.")
    elif rules.frozen_at is None:
        problems.append("Freeze the roll.")
    waiting = RollClaim.objects.filter(election=election, outcome=RollClaim.Outcome.OPEN).count()
    if waiting:
        problems.append(f"Decide the open claims and objections ({waiting}).")
    return problems


def election_close(*, by: Actor, election: Election) -> Election:
    """Close the box: no ballot is taken after this, and the box is shaken."""
    check_runs(by, election)
    return _close(election, by)


def _close(election: Election, by: Actor) -> Election:
    with transaction.atomic():
        updated = Election.objects.filter(pk=election.pk, status=S.OPEN).update(status=S.CLOSED)
        if not updated:
            raise Conflict("Only an open election can be closed.", code="not_open")
        in_box = ballots_shake(election)
        # Papers keyed once or held and never cast link a voter to a ranking: not kept.
        from rankfile.elections.services.postal import postal_keyings_discard

        unkeyed = postal_keyings_discard(election)
        audit_append(election=election, action="box_closed", by=by,
                     details={"ballots": in_box, "postal_keyings_discarded": unkeyed})
    election.refresh_from_db()
    return election


def elections_close_due(*, by: Actor, now: dt.datetime | None = None) -> list[Election]:
    """Close every open election whose ballot period has ended (run from cron).

    Only the site itself does this (``core.actors.System``): the end of the
    period, set by the returning officer, is the authority.
    """
    if not is_system(by):
        raise PermissionRefused("Elections close on schedule by the site itself; a returning "
                                "officer closes one from its page.", code="not_system")
    now = now or timezone.now()
    closed = []
    for election in Election.objects.filter(status=S.OPEN, ballot_closes_at__lte=now):
        try:
            closed.append(_close(election, by))
        except Conflict:
            continue  # closed meanwhile by its returning officer
    return closed


def ballots_shake(election: Election) -> int:
    """Write the box's ballots again, in the random order of their trackers.

    While the box is open each ballot row is written by the transaction that
    marks its voter's roll entry, so the database itself could pair them: the
    same transaction id (PostgreSQL's ``xmin``) and neighbouring places in the
    table. Written again together in one transaction, in tracker order, every
    ballot shares one transaction id and its place says nothing. (The dead rows
    stay on disk until PostgreSQL vacuums the table: docs/elections.md.) Call
    inside the closing transaction, after the box stopped taking ballots.
    """
    from rankfile.elections.models import Ballot

    ballots = list(Ballot.objects.filter(election=election).order_by("tracker"))
    Ballot.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(ballots, batch_size=5000)
    return len(ballots)


def is_accepting_ballots(election: Election, now: dt.datetime | None = None) -> bool:
    """Open, and inside the ballot period if one is set."""
    now = now or timezone.now()
    if election.status != S.OPEN:
        return False
    if election.ballot_opens_at and now < election.ballot_opens_at:
        return False
    return not (election.ballot_closes_at and now >= election.ballot_closes_at)
