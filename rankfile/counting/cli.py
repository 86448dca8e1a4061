"""``rankfile count`` and ``rankfile convert``: the engine's command line.

Imports only the standard library and the engine, never Django, and only
what the command needs, so that it starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import BinaryIO, TextIO

from rankfile.counting import __version__
from rankfile.counting.errors import CountingError

METHODS = ("plurality", "block", "approval", "irv", "stv-scottish", "stv-meek")
OUTPUTS = ("text", "html", "json", "csv")


class Progress:
    """A progress line on standard error, shown only on a terminal after one second.

    Args:
        label: what is running.
        stream: where to draw (standard error).
    """

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.start = time.monotonic()
        self.enabled = stream.isatty()
        self.shown = False

    def update(self, message: str, fraction: float | None = None) -> None:
        """Redraw the line if the count has run for more than a second."""
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        if elapsed < 1.0:
            return
        bar = ""
        if fraction is not None:
            filled = int(30 * min(1.0, max(0.0, fraction)))
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} "
        self.stream.write(f"\r{self.label}: {bar}{message} ({elapsed:.0f} s)\033[K")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        """Clear the line."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rankfile",
        description="Count ranked-ballot elections and convert ballot files.",
    )
    parser.add_argument("--version", action="version", version=f"rankfile {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser(
        "count",
        help="count an election",
        description="Count an election from a BLT, CSV or JSON ballot file. "
        "Example: rankfile count ward.blt --method stv-scottish --format json",
    )
    c.add_argument("file", help="ballot file; - reads standard input")
    c.add_argument(
        "--method",
        choices=METHODS,
        default="stv-scottish",
        help="counting rule (default: stv-scottish)",
    )
    c.add_argument("--seats", type=int, help="seats to fill (default: the file's header)")
    c.add_argument(
        "--format",
        choices=OUTPUTS,
        default="text",
        help="output: an 80-column declaration (text, the default), a printable "
        "HTML declaration (html), json or csv",
    )
    c.add_argument("--chart", metavar="PATH", help="also write an SVG chart of the stages")
    c.add_argument(
        "--seed", type=int, help="seed for any lot (default: random, printed if a lot is drawn)"
    )
    c.add_argument(
        "--input-format",
        choices=("blt", "csv", "json"),
        help="ballot format (default: from the name or the content)",
    )
    c.add_argument(
        "--withdraw",
        action="append",
        default=[],
        metavar="CANDIDATE",
        help="treat a candidate (name or number) as withdrawn; repeatable",
    )
    c.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="NAME=CAND,CAND",
        help="members of a group, by name or number; repeatable",
    )
    c.add_argument(
        "--minimum",
        action="append",
        default=[],
        metavar="NAME=N",
        help="elect at least N members of a group; repeatable",
    )
    c.add_argument(
        "--groups",
        metavar="JSON",
        help="groups and minimums from a JSON file (default: FILE's <name>.groups.json if present)",
    )
    c.add_argument(
        "--ron",
        metavar="CANDIDATE",
        help='the "re-open nominations" candidate (default: one named RON or Re-open nominations)',
    )
    c.add_argument(
        "--meek-variant",
        choices=("prf", "nz"),
        default="prf",
        help="Meek rule: PR Foundation reference (default) or New Zealand",
    )
    c.add_argument(
        "--bulk-exclusion",
        action="store_true",
        help="alternative vote: exclude hopeless candidates together",
    )
    c.add_argument("--version", action="version", version=f"rankfile {__version__}")

    v = sub.add_parser(
        "convert",
        help="convert a ballot file between BLT, CSV and JSON",
        description="Convert ballots between formats. Example: rankfile convert ward.blt ward.csv",
    )
    v.add_argument("source", help="input file; - reads standard input")
    v.add_argument("target", help="output file; - writes standard output")
    v.add_argument("--from", dest="source_format", choices=("blt", "csv", "json"))
    v.add_argument("--to", dest="target_format", choices=("blt", "csv", "json"))
    v.add_argument("--version", action="version", version=f"rankfile {__version__}")
    return parser


def _open(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")


def _digest(path: str) -> tuple[BinaryIO, str]:
    """The file to read, and the SHA-256 of its bytes (standard input is read first)."""
    import hashlib
    import io

    if path == "-":
        data = sys.stdin.buffer.read()
        return io.BytesIO(data), hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return open(path, "rb"), digest.hexdigest()


def _read(
    path: str, fmt: str | None, progress: Progress | None = None
) -> tuple[object, str]:
    """The ballots in ``path`` and the SHA-256 of the bytes they were read from."""
    from rankfile.counting.formats import guess_format

    stream, sha256 = _digest(path)
    name = "standard input" if path == "-" else path
    try:
        if fmt is None:
            from rankfile.counting.formats import peekable

            buffered = peekable(stream)
            fmt = guess_format(name, buffered.peek(4096)[:4096])
            stream = buffered
        if fmt == "blt":
            from rankfile.counting.blt import read_blt

            size = os.fstat(stream.fileno()).st_size if path != "-" else 0

            def report(lines: int) -> None:
                if progress is not None:
                    fraction = stream.tell() / size if size else None
                    progress.update(f"{lines} lines read", fraction)

            return read_blt(stream, name, report), sha256
        from rankfile.counting.formats import read_ballots

        return read_ballots(stream, name, fmt), sha256
    finally:
        stream.close()


def _count(args: argparse.Namespace) -> int:
    from rankfile.counting.ballots import Election
    from rankfile.counting.base import CountOptions
    from rankfile.counting.engine import count
    from rankfile.counting.errors import OptionsError

    progress = Progress("rankfile count", sys.stderr)
    election, sha256 = _read(args.file, args.input_format, progress)
    assert isinstance(election, Election)
    options = CountOptions(
        seed=args.seed,
        meek_variant=args.meek_variant,
        bulk_exclusion=args.bulk_exclusion,
        progress=lambda message: progress.update(message),
    )
    options.withdraw = [election.index(w) for w in args.withdraw]
    if args.ron:
        options.ron = election.index(args.ron)
    else:
        for i, name in enumerate(election.candidates):
            if name.casefold() in ("ron", "re-open nominations", "reopen nominations"):
                options.ron = i
    groups_path = args.groups
    if groups_path is None and args.file != "-":
        beside = os.path.splitext(args.file)[0] + ".groups.json"
        if os.path.exists(beside):
            groups_path = beside
    if groups_path is not None:
        from rankfile.counting.groups import load_groups_file

        with open(groups_path, encoding="utf-8") as f:
            options.groups = load_groups_file(election, f.read(), groups_path)
    if args.group or args.minimum:
        from rankfile.counting.groups import parse_group_args

        options.groups += parse_group_args(election, args.group, args.minimum)
    if args.seats is not None and args.seats < 1:
        raise OptionsError("--seats must be at least 1")
    if args.chart and not args.chart.lower().endswith(".svg"):
        raise OptionsError("--chart writes SVG; give a path ending in .svg")
    result = count(election, args.method, args.seats, options)
    progress.done()
    from rankfile.counting import render

    source = render.Source(
        name=os.path.basename(args.file) if args.file != "-" else "standard input",
        sha256=sha256,
    )
    if args.format == "json":
        text = render.render_json(result)
    elif args.format == "csv":
        text = render.render_csv(result)
    elif args.format == "html":
        text = render.render_html(result, source)
    else:
        text = render.render_text(result, source)
    if args.chart:
        with open(args.chart, "w", encoding="utf-8") as f:
            f.write(render.render_svg(result))
    sys.stdout.write(text)
    if args.format == "csv" and result.lots:
        # CSV has no place for it; a seed that decided a lot must still be printed.
        sys.stderr.write(f"rankfile count: seed {result.seed} (a lot was drawn)\n")
    return 0


def _convert(args: argparse.Namespace) -> int:
    from rankfile.counting.ballots import Election
    from rankfile.counting.formats import guess_format, write_ballots

    election, _sha256 = _read(args.source, args.source_format)
    assert isinstance(election, Election)
    fmt = args.target_format
    if fmt is None:
        fmt = guess_format(args.target, b"") if args.target != "-" else "blt"
        if args.target != "-" and not args.target.lower().endswith((".blt", ".csv", ".json")):
            fmt = "blt"
    if args.target == "-":
        write_ballots(election, sys.stdout, fmt)
    else:
        with open(args.target, "w", encoding="utf-8", newline="") as f:
            write_ballots(election, f, fmt)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``count`` or ``convert``.

    Args:
        argv: the arguments after the program name, starting with the
            sub-command (``["count", "ward.blt", "--format", "json"]``);
            ``None`` reads ``sys.argv``.

    Returns:
        0 on success, 2 on bad input or options (with a message on standard
        error, never a traceback), 130 if interrupted.
    """
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    command = f"rankfile {args.command}"
    try:
        return _count(args) if args.command == "count" else _convert(args)
    except CountingError as e:
        sys.stderr.write(f"{command}: error: {e}\n")
        return 2
    except OSError as e:
        name = e.filename if e.filename is not None else ""
        sys.stderr.write(f"{command}: error: {name}: {e.strerror or e}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{command}: interrupted\n")
        return 130
