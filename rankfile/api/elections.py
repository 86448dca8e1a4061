"""The elections' API: the list, casting a ballot with a voting code, and (once
published) the result and the bulletin.

Casting uses no cookie and no CSRF token: the voting code in the body is the
authority, and a browser never sends one on its own.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field, StrictInt

from rankfile.api.schemas import ErrorOut
from rankfile.core.errors import NotFound
from rankfile.elections.access import access_election, can_read_ballots
from rankfile.elections.models import Election
from rankfile.elections.services.casting import ballot_cast_with_credential

router = Router(tags=["elections"])
REFUSALS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CandidateOut(Schema):
    id: int
    name: str


class ElectionOut(Schema):
    slug: str
    title: str
    status: str = Field(json_schema_extra={"enum": [*Election.Status.values]})
    method: str
    seats: int
    candidates: list[CandidateOut]


class BallotIn(Schema):
    credential: str = Field(default="", description="the voting code from the voter's e-mail")
    ranking: list[StrictInt] = Field(default_factory=list,
                               description="candidate ids, first preference first")


class BallotOut(Schema):
    tracker: str


@router.get("", response=list[ElectionOut], summary="Elections", operation_id="elections")
def elections(request: HttpRequest) -> list[dict[str, Any]]:
    """Every election, with its candidates (withdrawn ones left out)."""
    return [{
        "slug": e.slug, "title": e.title, "status": e.status, "method": e.method,
        "seats": e.seats,
        "candidates": [{"id": c.pk, "name": c.name} for c in e.candidates.all()
                       if not c.withdrawn],
    } for e in Election.objects.prefetch_related("candidates")]


@router.post("/{slug}/ballots", response={201: BallotOut, **REFUSALS}, summary="Cast a ballot",
             operation_id="ballot_cast")
def ballot_cast(request: HttpRequest, slug: str, payload: BallotIn) -> Status:
    """Cast a ballot with a voting code. Answers the ballot's tracker, which is stored
    nowhere with the voter: show it to them. A malformed code answers 400; an unknown or
    revoked one 403; one already used 409 (``already_voted``); an election not open 409
    (``election_not_open``); a ranking naming a withdrawn or unknown candidate, or one
    twice, 422."""
    election = access_election(slug)
    receipt = ballot_cast_with_credential(election=election, credential=payload.credential,
                                          ranking=payload.ranking)
    return Status(201, {"tracker": receipt.tracker})


def _published(request: HttpRequest, slug: str) -> Election:
    """Published: everyone. Counted but not yet published: its returning officer and
    scrutineers (by their session), to check the bulletin. Else 404."""
    election = access_election(slug)
    if election.counted_at is None or not can_read_ballots(request.user, election):
        raise NotFound("This election's result is not published yet.", code="not_published")
    return election


@router.get("/{slug}/results", response={200: dict[str, Any], 404: ErrorOut},
            summary="A published result", operation_id="election_results")
def election_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The count in the engine's JSON result schema (docs/counting.md)."""
    election = _published(request, slug)
    return HttpResponse(election.result_json, content_type="application/json")


@router.get("/{slug}/bulletin.blt", response={200: str, 404: ErrorOut},
            summary="Every ballot, as BLT", operation_id="election_bulletin_blt")
def election_bulletin_blt(request: HttpRequest, slug: str) -> HttpResponse:
    """Every ballot in BLT, to recount with ``rankfile count``; its SHA-256 is in the
    ``Digest``-like header ``X-Content-SHA256`` and on the results page."""
    election = _published(request, slug)
    response = HttpResponse(election.bulletin_blt, content_type="text/plain; charset=utf-8")
    response["X-Content-SHA256"] = election.bulletin_blt_sha256
    response["Content-Disposition"] = f'attachment; filename="{election.slug}.blt"'
    return response


@router.get("/{slug}/bulletin.csv", response={200: str, 404: ErrorOut},
            summary="Every ballot with its tracker, as CSV", operation_id="election_bulletin_csv")
def election_bulletin_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One row per ballot: tracker, section, and the candidates in order of preference.
    Where trackers are apart from the ballots (see ``bulletin-trackers.txt``): no tracker
    column, and the rows sorted by their content."""
    election = _published(request, slug)
    response = HttpResponse(election.bulletin_csv, content_type="text/csv; charset=utf-8")
    response["X-Content-SHA256"] = election.bulletin_csv_sha256
    response["Content-Disposition"] = f'attachment; filename="{election.slug}.csv"'
    return response


@router.get("/{slug}/bulletin-trackers.txt", response={200: str, 404: ErrorOut},
            summary="Every tracker, apart from the ballots",
            operation_id="election_bulletin_trackers")
def election_bulletin_trackers(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the returning officer chose trackers apart from the ballots: every tracker,
    one a line, sorted by value (random, never the order of casting). A voter finds
    theirs to check their ballot was counted. An election with trackers beside their
    rankings has none (they are in ``bulletin.csv``): 404."""
    election = _published(request, slug)
    if election.trackers != Election.Trackers.APART:
        raise NotFound("This election shows each tracker beside its ballot, in bulletin.csv.",
                       code="trackers_beside")
    response = HttpResponse(election.bulletin_trackers, content_type="text/plain; charset=utf-8")
    response["X-Content-SHA256"] = election.bulletin_trackers_sha256
    response["Content-Disposition"] = f'attachment; filename="{election.slug}-trackers.txt"'
    return response
