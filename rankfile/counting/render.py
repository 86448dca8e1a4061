"""Render a result as a declaration (text or HTML), CSV, JSON or an SVG chart."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import textwrap
from dataclasses import dataclass
from html import escape

from rankfile.counting.rounds import Result, Round, fmt

_ACTION = {
    "first-preferences": "First preferences",
    "surplus": "Surplus of",
    "exclusion": "Exclusion of",
    "iteration": "Round",
    "count": "Count",
}


def _stage_label(result: Result, number: int) -> str:
    r = result.rounds[number - 1]
    label = _ACTION.get(r.action, r.action)
    if r.subject:
        label += " " + ", ".join(r.subject)
    return label


WIDTH = 80  # columns of the text sheet: it prints and mails as it is


@dataclass(frozen=True)
class Source:
    """The ballot file a count was made from, as the declaration names it.

    Attributes:
        name: the file's name (or ``standard input``).
        sha256: the SHA-256 of its bytes, in hex, so anyone can check they
            recount the same ballots.
    """

    name: str
    sha256: str

    @classmethod
    def of(cls, name: str, data: bytes) -> Source:
        """The source for ``data`` read from ``name``."""
        return cls(name=name, sha256=hashlib.sha256(data).hexdigest())


def _option_lines(result: Result) -> list[str]:
    lines: list[str] = []
    for key, value in sorted(result.options.items()):
        if key == "groups" and isinstance(value, dict):
            for name, group in sorted(value.items()):
                members = ", ".join(group.get("members", []))
                lines.append(f"group {name}: at least {group.get('minimum')} of {members}")
        else:
            lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines


def declaration(result: Result, source: Source | None = None) -> list[tuple[str, str]]:
    """The facts a declaration of result opens with, as (label, value) pairs.

    The ballot file and its SHA-256, the engine's version, the method and its
    options, seats, valid and invalid ballots, the quota, withdrawn
    candidates; the seed only if a lot was drawn (the count is otherwise the
    same whatever the seed, and so is this declaration).

    Args:
        result: a finished count.
        source: the ballot file, if known.

    Returns:
        Pairs in the order to print them.
    """
    from rankfile.counting import __version__

    rows: list[tuple[str, str]] = []
    if source is not None:
        rows.append(("Ballot file", source.name))
        rows.append(("SHA-256", source.sha256))
    rows.append(("Counted by", f"rankfile counting engine {__version__}"))
    rows.append(("Method", f"{result.method}: {result.rule}"))
    options = _option_lines(result)
    rows.append(("Options", "; ".join(options) if options else "none"))
    rows.append(("Seats", str(result.seats)))
    rows.append(("Valid ballots", str(result.valid_ballots)))
    rows.append(("Invalid ballots", f"{result.empty_ballots} (ranking no eligible candidate)"))
    if result.quota is not None:
        rows.append(("Quota", fmt(result.quota, result.precision)))
    if result.withdrawn:
        rows.append(("Withdrawn", ", ".join(result.withdrawn)))
    if result.lots:
        rows.append(("Seed", f"{result.seed}: {result.lots} lot(s) drawn; "
                             f"rerun with --seed {result.seed} to repeat the count"))
    return rows


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=True,
                         break_on_hyphens=False) or [""]


def _signed(value: int, p: int) -> str:
    return ("+" if value > 0 else "") + fmt(value, p)


def stage_blocks(result: Result, width: int) -> list[list[Round]]:
    """The stages in blocks narrow enough to print side by side in ``width`` columns."""
    p = result.precision
    names = list(result.rounds[0].votes) if result.rounds else []
    name_w = min(max([len(n) for n in names] + [len("Non-transferable")]), 24)
    blocks: list[list[Round]] = []
    used = name_w
    for r in result.rounds:
        cells = [fmt(v, p) for v in r.votes.values()] + [
            _signed(v, p) for v in r.transfers.values()
        ] + [fmt(r.non_transferable, p), fmt(r.loss, p), f"Stage {r.number}"]
        cell_w = max(len(c) for c in cells) + 2
        if not blocks or used + cell_w > width:
            blocks.append([])
            used = name_w
        blocks[-1].append(r)
        used += cell_w
    return blocks


def render_text(result: Result, source: Source | None = None) -> str:
    """The count as a plain-text declaration, at most 80 columns wide.

    A header (see :func:`declaration`), the votes at every stage (in blocks
    of stages that fit the width: each candidate's votes, with the change
    at that stage on the line below), every decision with its reason, and
    those elected. The same count gives the same text every time, unless a
    lot was drawn without a fixed seed.

    Args:
        result: a finished count.
        source: the ballot file, named with its SHA-256 in the header.

    Returns:
        Text ending with a newline.
    """
    p = result.precision
    out: list[str] = []
    title = result.title or "Election"
    out.extend(_wrap(f"Declaration of result: {title}", WIDTH))
    out.append("=" * min(WIDTH, max(len(line) for line in out)))
    rows = declaration(result, source)
    label_w = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        if max(len(word) for word in value.split() or [""]) > WIDTH - label_w:
            # A word too long to sit beside the label (a SHA-256) goes whole below it.
            out.append(f"{label}:")
            out.extend("  " + line for line in _wrap(value, WIDTH - 2))
            continue
        lines = _wrap(value, WIDTH - label_w)
        out.append(f"{label + ':':<{label_w}}{lines[0]}")
        out.extend(" " * label_w + line for line in lines[1:])
    out.append("")
    out.extend(_wrap("Elected, in order: " + (", ".join(result.elected) or "nobody"), WIDTH,
                     "  "))
    for note in result.notes:
        out.extend(_wrap(note, WIDTH, "  "))
    out.append("")
    names = list(result.rounds[0].votes) if result.rounds else []
    name_w = min(max([len(n) for n in names] + [len("Non-transferable")]), 24)
    for block in stage_blocks(result, WIDTH):
        cols: list[list[str]] = []
        for r in block:
            col = [f"Stage {r.number}"]
            for n in names:
                col.append(fmt(r.votes[n], p))
                col.append(_signed(r.transfers[n], p) if r.number > 1 and r.transfers[n] else "")
            col.append(fmt(r.non_transferable, p))
            if p:
                col.append(fmt(r.loss, p))
            cols.append(col)
        widths = [max(len(c) for c in col) + 2 for col in cols]
        out.append(" " * name_w + "".join(c[0].rjust(w) for c, w in zip(cols, widths, strict=True)))
        out.append("-" * (name_w + sum(widths)))
        row = 1
        for n in names:
            name_lines = _wrap(n, name_w)
            figures = "".join(c[row].rjust(w) for c, w in zip(cols, widths, strict=True))
            changes = "".join(c[row + 1].rjust(w) for c, w in zip(cols, widths, strict=True))
            out.append(name_lines[0].ljust(name_w) + figures)
            rest = name_lines[1:]
            if changes.strip() or rest:
                out.append((rest[0] if rest else "").ljust(name_w) + changes.rstrip())
                out.extend(line for line in rest[1:])
            row += 2
        extra = ["Non-transferable"] + (["Loss (rounding)"] if p else [])
        for label_text in extra:
            out.append(label_text.ljust(name_w)
                       + "".join(c[row].rjust(w) for c, w in zip(cols, widths, strict=True)))
            row += 1
        out.append("")
    out.append("Stages")
    out.append("------")
    for r in result.rounds:
        line = f"{r.number:>3}. {_stage_label(result, r.number)}"
        if r.transfer_value is not None:
            line += f" (transfer value {fmt(r.transfer_value, p)})"
        if r.quota is not None and r.quota != result.quota:
            line += f" [quota {fmt(r.quota, p)}]"
        out.extend(_wrap(line, WIDTH, " " * 5))
        for e in r.events:
            who = f"{e.candidate}: " if e.candidate else ""
            out.extend(_wrap(f"       {e.kind} {who}{e.reason}", WIDTH, " " * 9))
    return "\n".join(line.rstrip() for line in out) + "\n"


def render_csv(result: Result) -> str:
    """The count as CSV, one row per candidate per stage.

    Columns: stage, action, subject, candidate, votes, transfer, status, plus
    rows for the non-transferable value and the rounding loss.

    Args:
        result: a finished count.

    Returns:
        CSV text with a header row.
    """
    p = result.precision
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["stage", "action", "subject", "candidate", "votes", "transfer", "status", "quota"])
    for r in result.rounds:
        subject = "; ".join(r.subject)
        quota = "" if r.quota is None else fmt(r.quota, p)
        for name, v in r.votes.items():
            w.writerow(
                [
                    r.number,
                    r.action,
                    subject,
                    name,
                    fmt(v, p),
                    fmt(r.transfers[name], p),
                    r.status[name],
                    quota,
                ]
            )
        w.writerow(
            [
                r.number,
                r.action,
                subject,
                "(non-transferable)",
                fmt(r.non_transferable, p),
                "",
                "",
                quota,
            ]
        )
        w.writerow([r.number, r.action, subject, "(loss)", fmt(r.loss, p), "", "", quota])
    return buf.getvalue()


_COLOURS = [
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#cab2d6",
]


def axis_ticks(top: int, scale: int = 1) -> list[int]:
    """Round tick values (in votes) for an axis reaching ``top`` (scaled by ``scale``).

    Steps of 1, 2 or 5 (or 25, 250 ...) times a power of ten, four to eight
    ticks from 0 to the first tick at or above ``top``: 0/500/1000/1500/2000,
    never 495/991/1486.
    """
    votes = top / scale
    raw = max(votes / 4, 1)
    magnitude: int = 10 ** math.floor(math.log10(raw))
    multipliers = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = int(next(m * magnitude for m in multipliers if m * magnitude >= raw))
    count = max(1, math.ceil(votes / step))
    return [step * k for k in range(count + 1)]


def render_svg(result: Result) -> str:
    """A line chart of every candidate's votes over the stages, with the quota.

    Round ticks on the vote axis (see :func:`axis_ticks`); the quota drawn
    over the candidates' lines, dashed, and labelled with its value.

    Args:
        result: a finished count.

    Returns:
        A standalone SVG document, which can also be placed inline in HTML.
    """
    names = list(result.rounds[0].votes) if result.rounds else []
    scale: int = 10**result.precision
    stages = len(result.rounds)
    highest = max([v for r in result.rounds for v in r.votes.values()] + [result.quota or 0, 1])
    ticks = axis_ticks(highest, scale)
    top = ticks[-1] * scale
    left, right, upper, lower = 60, 260, 40, 50
    plot_w, plot_h = max(400, 70 * stages), 360
    width, height = left + plot_w + right, upper + plot_h + lower
    title = escape(result.title or "Count")

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, stages - 1) if stages > 1 else plot_w / 2)

    def y(v: float) -> float:
        return upper + plot_h - plot_h * v / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" '
        'role="img" aria-labelledby="count-chart-title">',
        f'<title id="count-chart-title">{title}: votes by stage'
        + (f", quota {fmt(result.quota, result.precision)}" if result.quota is not None else "")
        + "</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="16">{title} ({escape(result.method)})</text>',
    ]
    for tick in ticks:
        ty = y(tick * scale)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
            'stroke="#dddddd"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{upper + plot_h}" x2="{left + plot_w}" y2="{upper + plot_h}" '
        'stroke="black"/>'
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{upper + plot_h}" stroke="black"/>'
    )
    for i, r in enumerate(result.rounds):
        parts.append(
            f'<text x="{x(i):.1f}" y="{upper + plot_h + 18}" text-anchor="middle">{r.number}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">stage</text>'
    )
    for j, name in enumerate(names):
        colour = _COLOURS[j % len(_COLOURS)]
        pts = " ".join(f"{x(i):.1f},{y(r.votes[name]):.1f}" for i, r in enumerate(result.rounds))
        mark = " (elected)" if name in result.elected else ""
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(name)}</title></polyline>"
        )
        parts.append(
            f'<rect x="{left + plot_w + 50}" y="{upper + 18 * j}" width="12" height="12" '
            f'fill="{colour}"/>'
            f'<text x="{left + plot_w + 68}" y="{upper + 18 * j + 10}">'
            f"{escape(name[:28])}{mark}</text>"
        )
    if result.quota is not None:
        # Drawn last, so that no candidate's line hides it.
        qs = [r.quota if r.quota is not None else result.quota for r in result.rounds]
        pts = " ".join(f"{x(i):.1f},{y(q):.1f}" for i, q in enumerate(qs))
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="black" stroke-width="2" '
            'stroke-dasharray="8 4"><title>quota</title></polyline>'
        )
        parts.append(
            f'<text x="{left + plot_w - 4}" y="{y(qs[-1]) - 6:.1f}" text-anchor="end" '
            'font-weight="bold" '
            'stroke="white" stroke-width="3" paint-order="stroke">'
            f"quota {escape(fmt(qs[-1], result.precision).split('.')[0])}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_json(result: Result) -> str:
    """The result in the versioned JSON schema (see docs/counting.md)."""
    import json

    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


_HTML_CSS = """
body { font: 11pt/1.4 Georgia, "Times New Roman", serif; color: #111; margin: 2em auto;
  max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 0.8em 0; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { padding: 0.15em 0.6em; vertical-align: top; }
thead th { border-bottom: 1px solid #111; }
tbody th, .facts th { text-align: left; font-weight: normal; }
tbody th.elected { font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.facts th { white-space: nowrap; }
.facts td { word-break: break-all; }
.change { color: #444; font-size: 0.85em; display: block; }
.elected { font-weight: bold; }
ol.stages li { margin-bottom: 0.3em; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  table, figure { break-inside: avoid; } }
"""

_HTML_STAGE_COLUMNS = 6  # stages per table: fits a portrait A4 page


def render_html(result: Result, source: Source | None = None) -> str:
    """The count as a printable HTML declaration an officer can publish as it is.

    One self-contained page (inline CSS, the chart inline as SVG, no
    scripts, nothing fetched): the declaration's facts, those elected, the
    votes at every stage in tables with headers and captions, every decision
    with its reason, and the chart. The same count gives the same page every
    time, unless a lot was drawn without a fixed seed.

    Args:
        result: a finished count (as the elections app holds it, or from the
            command line).
        source: the ballot file, named with its SHA-256.

    Returns:
        An HTML document.
    """
    p = result.precision
    title = escape(result.title or "Election")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Declaration of result: {title}</title>",
        f"<style>{_HTML_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>Declaration of result: {title}</h1>",
        '<table class="facts">',
        "<caption>The count</caption>",
    ]
    for label, value in declaration(result, source):
        out.append(f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>')
    out.append("</table>")
    out.append("<h2>Elected</h2>")
    if result.elected:
        out.append("<ol>" + "".join(f"<li>{escape(n)}</li>" for n in result.elected) + "</ol>")
    else:
        out.append("<p>Nobody was elected.</p>")
    for note in result.notes:
        out.append(f"<p>{escape(note)}</p>")
    out.append("<h2>Votes at each stage</h2>")
    names = list(result.rounds[0].votes) if result.rounds else []
    for start in range(0, len(result.rounds), _HTML_STAGE_COLUMNS):
        block = result.rounds[start : start + _HTML_STAGE_COLUMNS]
        first, last = block[0].number, block[-1].number
        span = f"stage {first}" if first == last else f"stages {first} to {last}"
        out.append("<table>")
        out.append(f"<caption>Votes at {span}, with the change at each stage</caption>")
        out.append('<thead><tr><th scope="col">Candidate</th>' + "".join(
            f'<th scope="col" class="num">Stage {r.number}<br>'
            f"<small>{escape(_stage_label(result, r.number))}</small></th>" for r in block)
            + "</tr></thead>")
        out.append("<tbody>")
        for n in names:
            elected = ' class="elected"' if n in result.elected else ""
            cells = []
            for r in block:
                change = r.transfers[n]
                shown = (f'<span class="change">{escape(_signed(change, p))}</span>'
                         if r.number > 1 and change else "")
                cells.append(f'<td class="num">{fmt(r.votes[n], p)}{shown}</td>')
            out.append(f'<tr><th scope="row"{elected}>{escape(n)}</th>{"".join(cells)}</tr>')
        out.append('<tr><th scope="row">Non-transferable</th>' + "".join(
            f'<td class="num">{fmt(r.non_transferable, p)}</td>' for r in block) + "</tr>")
        if p:
            out.append('<tr><th scope="row">Loss (rounding)</th>' + "".join(
                f'<td class="num">{fmt(r.loss, p)}</td>' for r in block) + "</tr>")
        out.append("</tbody></table>")
    out.append("<h2>Stages and decisions</h2>")
    out.append('<ol class="stages">')
    for r in result.rounds:
        line = escape(_stage_label(result, r.number))
        if r.transfer_value is not None:
            line += f" (transfer value {fmt(r.transfer_value, p)})"
        if r.quota is not None and r.quota != result.quota:
            line += f" [quota {fmt(r.quota, p)}]"
        events = "".join(
            f"<li>{escape(e.kind)}{': ' + escape(e.candidate) if e.candidate else ''}"
            f" &mdash; {escape(e.reason)}</li>" for e in r.events)
        out.append(f"<li>{line}" + (f"<ul>{events}</ul>" if events else "") + "</li>")
    out.append("</ol>")
    out.append("<h2>Chart</h2>")
    out.append("<figure>")
    out.append(render_svg(result).rstrip("\n"))
    out.append("<figcaption>Each candidate's votes at each stage; the dashed line is the "
               "quota.</figcaption>")
    out.append("</figure>")
    out.append("</main>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
