"""Ballots as CSV (one ballot per row) and JSON, and choosing a reader by name or content.

CSV: one ballot per row, candidate names in order of preference; empty cells
are ignored. Optional lines before or among the rows, starting with ``#``,
carry what BLT's header and names carry::

    # title: Branch committee 2025
    # seats: 2
    # candidate: Alice
    # candidate: Bob
    # withdrawn: Bob
    Alice,Bob
    Bob

Without ``# candidate:`` lines, candidates are taken in order of first
appearance; without ``# seats:``, one seat.

JSON::

    {"format": "rankfile-ballots", "version": 1, "title": "...", "seats": 2,
     "candidates": ["Alice", "Bob"], "withdrawn": [],
     "ballots": [{"ranking": ["Alice", "Bob"], "weight": 3}]}
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, BinaryIO, TextIO, cast

from rankfile.counting.ballots import Election
from rankfile.counting.errors import BallotFileError

FORMATS = ("blt", "csv", "json")


def guess_format(path: str, head: bytes) -> str:
    """Pick a reader from the file name, else from the first bytes.

    Args:
        path: the file name (``-`` for standard input).
        head: the file's first bytes.

    Returns:
        ``blt``, ``csv`` or ``json``.
    """
    lower = path.lower()
    for name in FORMATS:
        if lower.endswith("." + name):
            return name
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{"):
        return "json"
    first = text.split(b"\n", 1)[0].split(b"#", 1)[0].split()
    if len(first) == 2 and all(t.isdigit() for t in first):
        return "blt"
    return "csv"


def read_csv(stream: BinaryIO, path: str | None = None) -> Election:
    """Read ranked ballots from CSV (see the module docstring).

    Raises:
        BallotFileError: the file is malformed; the error names the line.
    """
    election = Election(candidates=[], seats=1)
    index: dict[str, int] = {}
    declared = False
    withdrawn: list[tuple[str, int]] = []
    line = 0

    def rows() -> Iterator[str]:
        nonlocal line, declared
        for raw in stream:
            line += 1
            try:
                text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError:
                raise BallotFileError("the file is not UTF-8 text", line, path) from None
            if text.startswith("#"):
                key, _, value = text[1:].partition(":")
                key, value = key.strip().lower(), value.strip()
                if key == "title":
                    election.title = value
                elif key == "seats":
                    if not value.isdigit() or int(value) < 1:
                        raise BallotFileError(
                            f"seats must be a positive number: {value!r}", line, path
                        )
                    election.seats = int(value)
                elif key == "candidate":
                    if not value:
                        raise BallotFileError("a candidate's name is empty", line, path)
                    if value in index:
                        raise BallotFileError(f"candidate {value!r} is listed twice", line, path)
                    declared = True
                    index[value] = len(election.candidates)
                    election.candidates.append(value)
                elif key == "withdrawn":
                    withdrawn.append((value, line))
                continue
            yield text

    try:
        for row in csv.reader(rows()):
            names = [cell.strip() for cell in row if cell.strip()]
            ranking: list[int] = []
            for name in names:
                if name not in index:
                    if declared:
                        raise BallotFileError(f"{name!r} is not a listed candidate", line, path)
                    index[name] = len(election.candidates)
                    election.candidates.append(name)
                c = index[name]
                if c in ranking:
                    raise BallotFileError(f"{name!r} is ranked twice", line, path)
                ranking.append(c)
            election.add(ranking)
    except csv.Error as e:
        raise BallotFileError(f"not valid CSV ({e})", line, path) from None
    for name, at in withdrawn:
        if name not in index:
            raise BallotFileError(f"withdrawn {name!r} is not a candidate", at, path)
        election.withdrawn.add(index[name])
    if not election.candidates:
        raise BallotFileError("the file names no candidates", None, path)
    return election


def write_csv(election: Election, out: TextIO) -> None:
    """Write one ballot per row, with the ``#`` lines that keep seats and names."""
    if election.title:
        out.write(f"# title: {election.title}\n")
    out.write(f"# seats: {election.seats}\n")
    for name in election.candidates:
        out.write(f"# candidate: {name}\n")
    for c in sorted(election.withdrawn):
        out.write(f"# withdrawn: {election.candidates[c]}\n")
    w = csv.writer(out, lineterminator="\n")
    names = election.candidates
    for ranking, weight in election.ballots.items():
        row = [names[c] for c in ranking]
        for _ in range(weight):
            w.writerow(row)


def read_json(stream: BinaryIO, path: str | None = None) -> Election:
    """Read ballots from the JSON form (see the module docstring).

    Raises:
        BallotFileError: the file is malformed.
    """
    import json

    try:
        data: Any = json.loads(stream.read())
    except ValueError as e:
        line = getattr(e, "lineno", None)
        raise BallotFileError(f"not valid JSON ({e})", line, path) from None
    if not isinstance(data, dict):
        raise BallotFileError("expected a JSON object with candidates and ballots", None, path)
    candidates = data.get("candidates")
    if (
        not isinstance(candidates, list)
        or not candidates
        or not all(isinstance(c, str) and c.strip() for c in candidates)
    ):
        raise BallotFileError('"candidates" must be a list of names', None, path)
    names = [c.strip() for c in candidates]
    if len(set(names)) != len(names):
        raise BallotFileError('"candidates" lists a name twice', None, path)
    seats = data.get("seats", 1)
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        raise BallotFileError('"seats" must be a positive whole number', None, path)
    title = data.get("title", "")
    election = Election(candidates=names, seats=seats, title=str(title))
    index = {n: i for i, n in enumerate(names)}
    withdrawn = data.get("withdrawn", [])
    if not isinstance(withdrawn, list):
        raise BallotFileError('"withdrawn" must be a list of names', None, path)
    for name in withdrawn:
        if name not in index:
            raise BallotFileError(f"withdrawn {name!r} is not a candidate", None, path)
        election.withdrawn.add(index[name])
    ballots = data.get("ballots", [])
    if not isinstance(ballots, list):
        raise BallotFileError('"ballots" must be a list', None, path)
    for i, b in enumerate(ballots, 1):
        if isinstance(b, list):
            b = {"ranking": b}
        if not isinstance(b, dict) or not isinstance(b.get("ranking"), list):
            raise BallotFileError(
                f'ballot {i} must be {{"ranking": [...], "weight": n}}', None, path
            )
        weight = b.get("weight", 1)
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise BallotFileError(f"ballot {i}: the weight must be a whole number", None, path)
        ranking: list[int] = []
        for name in b["ranking"]:
            if not isinstance(name, str) or name not in index:
                raise BallotFileError(f"ballot {i}: {name!r} is not a candidate", None, path)
            if index[name] in ranking:
                raise BallotFileError(f"ballot {i}: {name!r} is ranked twice", None, path)
            ranking.append(index[name])
        election.add(ranking, weight)
    return election


def write_json(election: Election, out: TextIO) -> None:
    """Write ballots in the JSON form, one entry per distinct ranking."""
    import json

    names = election.candidates
    ballots: list[dict[str, object]] = [
        {"ranking": [names[c] for c in r], "weight": w} for r, w in election.ballots.items()
    ]
    if election.empty:
        ballots.append({"ranking": [], "weight": election.empty})
    data = {
        "format": "rankfile-ballots",
        "version": 1,
        "title": election.title,
        "seats": election.seats,
        "candidates": names,
        "withdrawn": [names[c] for c in sorted(election.withdrawn)],
        "ballots": ballots,
    }
    json.dump(data, out, indent=1, ensure_ascii=False)
    out.write("\n")


def peekable(stream: BinaryIO) -> io.BufferedReader:
    """The stream as a buffered reader, so that its first bytes can be peeked at."""
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(cast(Any, stream))


def read_ballots(stream: BinaryIO, path: str, fmt: str | None = None) -> Election:
    """Read ballots in any supported format, guessing it if not given.

    Args:
        stream: a binary stream (it need not be seekable).
        path: the name for messages and for guessing the format.
        fmt: ``blt``, ``csv`` or ``json``; ``None`` to guess.

    Returns:
        The election.

    Raises:
        BallotFileError: the file is malformed.
    """
    buffered = peekable(stream)
    if fmt is None:
        fmt = guess_format(path, buffered.peek(4096)[:4096])
    if fmt == "blt":
        from rankfile.counting.blt import read_blt

        return read_blt(buffered, path)
    if fmt == "csv":
        return read_csv(buffered, path)
    if fmt == "json":
        return read_json(buffered, path)
    raise BallotFileError(f"unknown ballot format {fmt!r}", None, path)


def write_ballots(election: Election, out: TextIO, fmt: str) -> None:
    """Write ballots as ``blt``, ``csv`` or ``json``."""
    if fmt == "blt":
        from rankfile.counting.blt import write_blt

        write_blt(election, out)
    elif fmt == "csv":
        write_csv(election, out)
    elif fmt == "json":
        write_json(election, out)
    else:
        raise BallotFileError(f"unknown ballot format {fmt!r}")
