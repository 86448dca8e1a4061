"""Count, reconcile and publish: the engine counts the box overall and per section.

Before publication the returning officer sees, per section, the roll entries
marked voted, the ballots in the box and the ballots counted side by side;
publication is refused while they disagree (a public count once included
135,000 test ballots because nobody compared). The bulletin publishes every
ballot: as BLT (recount it with ``rankfile count``) and as CSV with trackers,
each with its SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

import rankfile.counting
from rankfile.accounts.http import Actor
from rankfile.core.errors import Conflict, Refusal
from rankfile.counting.ballots import Election as Box
from rankfile.counting.base import CountOptions
from rankfile.counting.blt import write_blt
from rankfile.counting.engine import count
from rankfile.counting.errors import CountingError
from rankfile.counting.groups import load_groups_file
from rankfile.counting.render import Source, render_html, render_json
from rankfile.counting.rounds import Result
from rankfile.elections.access import check_runs, check_watches
from rankfile.elections.models import Ballot, Election
from rankfile.elections.services.audit import audit_append
from rankfile.elections.services.roll import current_roll

S = Election.Status
OVERALL = ""


def box_of(election: Election, section: str | None = None) -> Box:
    """The ballots (of one section, or all) as the engine reads them, in a fixed order."""
    candidates = list(election.candidates.order_by("position", "pk"))
    index = {c.pk: i for i, c in enumerate(candidates)}
    ballots = Ballot.objects.filter(election=election)
    if section is not None:
        ballots = ballots.filter(section=section)
    tally: Counter[tuple[int, ...]] = Counter(
        tuple(index[c] for c in ranking) for ranking in ballots.values_list("ranking", flat=True))
    return Box(candidates=[c.name for c in candidates], seats=election.seats,
               ballots=dict(sorted(tally.items())),
               withdrawn={i for i, c in enumerate(candidates) if c.withdrawn},
               title=election.title)


def _count(election: Election, box: Box) -> Result:
    options = CountOptions(seed=election.options.get("seed"))
    if election.options.get("groups"):
        options.groups = load_groups_file(box, json.dumps(election.options), "options")
    return count(box, election.method, election.seats, options)


def bulletin_blt(box: Box) -> str:
    out = io.StringIO()
    write_blt(box, out)
    return out.getvalue()


def bulletin_csv(election: Election) -> str:
    """One row per ballot: tracker, section, then the candidates in order of preference.

    With trackers apart (``Election.Trackers.APART``) the rows have no tracker and are
    sorted by their content (section, then ranking), so a row's place says nothing of
    its tracker's place in the separate list (``bulletin_trackers``) or of when it was
    cast.
    """
    names = dict(election.candidates.values_list("pk", "name"))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    ballots = Ballot.objects.filter(election=election).values_list("tracker", "section",
                                                                    "ranking")
    if election.trackers == Election.Trackers.APART:
        w.writerow(["section", "ranking"])
        rows = sorted([section, *(names[c] for c in ranking)] for _, section, ranking in ballots)
        w.writerows(rows)
        return out.getvalue()
    w.writerow(["tracker", "section", "ranking"])
    for tracker, section, ranking in ballots.order_by("tracker"):
        w.writerow([tracker, section, *(names[c] for c in ranking)])
    return out.getvalue()


def bulletin_trackers(election: Election) -> str:
    """With trackers apart: every tracker, one a line, sorted by value (trackers are
    random, so this order is random and never the order of casting). Else empty."""
    if election.trackers != Election.Trackers.APART:
        return ""
    trackers = Ballot.objects.filter(election=election).order_by("tracker")
    return "".join(f"{t}\n" for t in trackers.values_list("tracker", flat=True))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def election_count(*, by: Actor, election: Election) -> Election:
    """Count the closed box overall and per section; keep the results and the bulletin.

    Raises:
        Conflict: the box is not closed.
        Refusal: the engine could not count (its message says why).
    """
    check_runs(by, election)
    if election.status != S.CLOSED:
        raise Conflict("Close the ballot before counting.", code="not_closed")
    box = box_of(election)
    blt = bulletin_blt(box)
    try:
        result = _count(election, box)
        sections: dict[str, Any] = {}
        for section in election.sections:
            part = box_of(election, section)
            sections[section] = (json.loads(render_json(_count(election, part)))
                                 if part.total else None)
    except CountingError as e:
        raise Refusal(f"The count could not run: {e}.", code="count_failed") from None
    csv_text = bulletin_csv(election)
    trackers_text = bulletin_trackers(election)
    with transaction.atomic():
        election.counted_at = timezone.now()
        election.result_json = render_json(result)
        election.section_results = sections
        election.bulletin_blt, election.bulletin_blt_sha256 = blt, _sha256(blt)
        election.bulletin_csv, election.bulletin_csv_sha256 = csv_text, _sha256(csv_text)
        election.bulletin_trackers = trackers_text
        election.bulletin_trackers_sha256 = _sha256(trackers_text) if trackers_text else ""
        election.declaration_html = render_html(
            result, Source(name=f"{election.slug}.blt", sha256=_sha256(blt)))
        election.save(update_fields=(
            "counted_at", "result_json", "section_results", "bulletin_blt",
            "bulletin_blt_sha256", "bulletin_csv", "bulletin_csv_sha256", "bulletin_trackers",
            "bulletin_trackers_sha256", "declaration_html"))
        audit_append(election=election, action="counted", by=by, details={
            "engine": f"rankfile.counting {rankfile.counting.__version__}", "method": election.method,
            "ballots": box.total + box.empty, "input_sha256": election.bulletin_blt_sha256,
            "bulletin_csv_sha256": election.bulletin_csv_sha256, "trackers": election.trackers,
            "result_sha256": _sha256(election.result_json), "elected": result.elected})
    return election


@dataclass(frozen=True)
class Line:
    section: str
    voted: int
    in_box: int
    counted: int | None

    @property
    def agrees(self) -> bool:
        return self.voted == self.in_box and self.counted in (None, self.in_box)


def reconciliation(*, by: Actor, election: Election) -> list[Line]:
    """Per section and overall (section ""): marked voted, in the box, counted."""
    check_watches(by, election)
    return _reconcile(election)


def published_figures(election: Election) -> list[Line]:
    """The published turnout per section (public once the result is)."""
    if election.status != S.PUBLISHED:
        raise Conflict("The result is not published yet.", code="not_published")
    return _reconcile(election)


def _counted(result: dict[str, Any] | None) -> int:
    return 0 if result is None else int(result["valid_ballots"]) + int(result["empty_ballots"])


def _reconcile(election: Election) -> list[Line]:
    voted = dict(current_roll(election).filter(voted_on__isnull=False).values_list("section")
                 .annotate(n=Count("pk")))
    in_box = dict(Ballot.objects.filter(election=election).values_list("section")
                  .annotate(n=Count("pk")))
    counted = election.counted_at is not None
    overall = json.loads(election.result_json) if counted else None
    lines = [Line(s, voted.get(s, 0), in_box.get(s, 0),
                  _counted(election.section_results.get(s)) if counted else None)
             for s in sorted(set(election.sections) | set(voted) | set(in_box))]
    lines.append(Line(OVERALL, sum(voted.values()), sum(in_box.values()),
                      _counted(overall) if counted else None))
    return lines


def election_publish(*, by: Actor, election: Election) -> Election:
    """Publish the counted result and its bulletin; refused while the figures disagree."""
    check_runs(by, election)
    if election.status != S.CLOSED or election.counted_at is None:
        raise Conflict("Close the ballot and count it before publishing.", code="not_counted")
    wrong = [line for line in _reconcile(election) if not line.agrees]
    if wrong:
        where = ", ".join(line.section or "overall" for line in wrong)
        raise Conflict(f"The roll, the box and the count disagree ({where}): find out why "
                       "before publishing.", code="figures_disagree")
    with transaction.atomic():
        updated = Election.objects.filter(pk=election.pk, status=S.CLOSED).update(
            status=S.PUBLISHED, published_at=timezone.now())
        if not updated:
            raise Conflict("This result is published already.", code="published")
        audit_append(election=election, action="published", by=by, details={
            "result_sha256": _sha256(election.result_json),
            "figures": [[line.section, line.voted, line.in_box, line.counted]
                        for line in _reconcile(election)]})
    election.refresh_from_db()
    return election
