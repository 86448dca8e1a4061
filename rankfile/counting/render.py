"""Render a result as text (a returning officer's sheet), CSV, JSON or an SVG chart."""

from __future__ import annotations

import csv
import io
from html import escape

from rankfile.counting.rounds import Result, fmt

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


def render_text(result: Result) -> str:
    """The count as a plain-text sheet: every stage's votes, transfers and decisions.

    Args:
        result: a finished count.

    Returns:
        Text ending with a newline.
    """
    p = result.precision
    out: list[str] = []
    title = result.title or "Election"
    out.append(f"{title}")
    out.append("=" * len(title))
    out.append(f"Method:   {result.rule}")
    out.append(f"Seats:    {result.seats}")
    out.append(f"Ballots:  {result.valid_ballots} valid, {result.empty_ballots} empty or invalid")
    if result.quota is not None:
        out.append(f"Quota:    {fmt(result.quota, p)}")
    if result.withdrawn:
        out.append(f"Withdrawn: {', '.join(result.withdrawn)}")
    out.append(f"Seed:     {result.seed} (for any lot; rerun with --seed {result.seed})")
    out.append("")
    names = list(result.rounds[0].votes) if result.rounds else []
    width = max([len(n) for n in names] + [len("Non-transferable"), 9])
    per_row = 6
    for start in range(0, len(result.rounds), per_row):
        chunk = result.rounds[start : start + per_row]
        cells: list[list[str]] = []
        for r in chunk:
            col = []
            for n in names:
                change = r.transfers[n]
                sign = "+" if change > 0 else ""
                cell = fmt(r.votes[n], p)
                if r.number > 1 and change:
                    cell = f"{sign}{fmt(change, p)} = {cell}"
                col.append(cell)
            col.append(fmt(r.non_transferable, p))
            if p:
                col.append(fmt(r.loss, p))
            cells.append(col)
        colw = [
            max(len(c) for c in col + [f"Stage {r.number}"])
            for col, r in zip(cells, chunk, strict=True)
        ]
        header = (
            " " * width
            + " | "
            + " | ".join(f"Stage {r.number}".rjust(w) for r, w in zip(chunk, colw, strict=True))
        )
        out.append(header)
        out.append("-" * len(header))
        labels = [*names, "Non-transferable"] + (["Loss (rounding)"] if p else [])
        for i, label in enumerate(labels):
            out.append(
                label.ljust(width)
                + " | "
                + " | ".join(col[i].rjust(w) for col, w in zip(cells, colw, strict=True))
            )
        out.append("")
    out.append("Stages")
    out.append("------")
    for r in result.rounds:
        line = f"{r.number:>3}. {_stage_label(result, r.number)}"
        if r.transfer_value is not None:
            line += f" (transfer value {fmt(r.transfer_value, p)})"
        if r.quota is not None and r.quota != result.quota:
            line += f" [quota {fmt(r.quota, p)}]"
        out.append(line)
        for e in r.events:
            who = f"{e.candidate}: " if e.candidate else ""
            out.append(f"       {e.kind} {who}{e.reason}")
    out.append("")
    out.append("Elected, in order: " + (", ".join(result.elected) or "nobody"))
    for note in result.notes:
        out.append(note)
    return "\n".join(out) + "\n"


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


def render_svg(result: Result) -> str:
    """A line chart of every candidate's votes over the stages, with the quota.

    Args:
        result: a finished count.

    Returns:
        A standalone SVG document.
    """
    names = list(result.rounds[0].votes) if result.rounds else []
    scale = 10**result.precision
    stages = len(result.rounds)
    top = max([v for r in result.rounds for v in r.votes.values()] + [result.quota or 0, 1])
    left, right, upper, lower = 60, 260, 40, 50
    plot_w, plot_h = max(400, 70 * stages), 360
    width, height = left + plot_w + right, upper + plot_h + lower

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, stages - 1) if stages > 1 else plot_w / 2)

    def y(v: int) -> float:
        return upper + plot_h - plot_h * v / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(result.title or 'Count')}: votes by stage</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="16">{escape(result.title or "Count")} '
        f"({escape(result.method)})</text>",
        f'<line x1="{left}" y1="{upper + plot_h}" x2="{left + plot_w}" y2="{upper + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{upper + plot_h}" stroke="black"/>',
    ]
    for k in range(5):
        v = top * k // 4
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v // scale}</text>'
        )
    for i, r in enumerate(result.rounds):
        parts.append(
            f'<text x="{x(i):.1f}" y="{upper + plot_h + 18}" text-anchor="middle">{r.number}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">stage</text>'
    )
    if result.quota is not None:
        qs = [r.quota if r.quota is not None else result.quota for r in result.rounds]
        pts = " ".join(f"{x(i):.1f},{y(q):.1f}" for i, q in enumerate(qs))
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="black" stroke-dasharray="6 4"/>'
        )
        parts.append(f'<text x="{left + plot_w + 6}" y="{y(qs[-1]) + 4:.1f}">quota</text>')
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
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_json(result: Result) -> str:
    """The result in the versioned JSON schema (see docs/counting.md)."""
    import json

    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
