"""Read and write the BLT ballot format (Electoral Reform Society, OpenSTV, Droop).

A BLT file is::

    4 2                 # candidates seats
    -3                  # optional: withdrawn candidates, as negative numbers
    12 1 2 0            # weight, then candidate numbers in order of preference, then 0
    7 2 4 1 0
    0                   # end of ballots
    "Alice"             # one name per candidate, in number order
    "Bob"
    ...
    "Title"

Names may be quoted or not; they are taken without their quotes and the spaces
around them, inner spaces kept. Comments (``#`` to end of line) and blank lines
are tolerated. Reading streams the file and groups identical ballot lines as it
goes, so memory grows with the distinct rankings, not with the ballots.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import BinaryIO, TextIO

from rankfile.counting.ballots import Election, Ranking
from rankfile.counting.errors import BallotFileError, CountingError

_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"
_QUOTED = re.compile(r'"([^"]*)"')

# What a distinct line in the ballot section turned out to be.
_BLANK = 0
_BALLOT = 1
_WITHDRAWN = 2
_END = 3
_ERROR = 4

_Parsed = tuple[int, Ranking, int, str]  # kind, ranking (or withdrawn), weight, error message


def _strip_comment(raw: bytes) -> bytes:
    hash_at = raw.find(b"#")
    if hash_at >= 0:
        raw = raw[:hash_at]
    return raw.strip()


def _parse_ballot_line(raw: bytes, n: int) -> _Parsed:
    text = _strip_comment(raw)
    if not text:
        return (_BLANK, (), 0, "")
    if text == b"0":
        return (_END, (), 0, "")
    try:
        tokens = text.decode("ascii").split()
    except UnicodeDecodeError:
        return (_ERROR, (), 0, "a ballot line may hold only numbers")
    if tokens[0].startswith("-"):
        return _parse_withdrawn(tokens, n)
    if tokens[0].startswith("(") and tokens[0].endswith(")"):
        tokens = tokens[1:]  # an OpenSTV ballot id
        if not tokens:
            return (_ERROR, (), 0, "a ballot id must be followed by a weight")
    if not tokens[0].isdigit():
        return (_ERROR, (), 0, f"the ballot weight {tokens[0]!r} is not a whole number")
    weight = int(tokens[0])
    if len(tokens) < 2 or tokens[-1] != "0":
        return (_ERROR, (), 0, "a ballot line must end with 0")
    ranking: list[int] = []
    seen: set[int] = set()
    for token in tokens[1:-1]:
        if "=" in token:
            return (_ERROR, (), 0, f"equal preferences ({token}) are not supported")
        if token == "-":
            continue  # a skipped preference
        if not token.isdigit():
            return (_ERROR, (), 0, f"{token!r} is not a candidate number")
        c = int(token)
        if not 1 <= c <= n:
            return (_ERROR, (), 0, f"candidate {c} does not exist (there are {n})")
        if c in seen:
            return (_ERROR, (), 0, f"candidate {c} is ranked twice")
        seen.add(c)
        ranking.append(c - 1)
    return (_BALLOT, tuple(ranking), weight, "")


def _parse_withdrawn(tokens: list[str], n: int) -> _Parsed:
    withdrawn: list[int] = []
    for i, token in enumerate(tokens):
        if token == "0" and i == len(tokens) - 1:
            break
        if not (token.startswith("-") and token[1:].isdigit()):
            return (_ERROR, (), 0, f"{token!r} in the withdrawn line is not a negative number")
        c = int(token[1:])
        if not 1 <= c <= n:
            return (_ERROR, (), 0, f"withdrawn candidate {c} does not exist (there are {n})")
        withdrawn.append(c - 1)
    return (_WITHDRAWN, tuple(withdrawn), 0, "")


def _parse_header(raw: bytes, line: int, path: str | None) -> tuple[int, int]:
    tokens = _strip_comment(raw).split()
    if len(tokens) != 2 or not all(t.isdigit() for t in tokens):
        raise BallotFileError(
            "the first line must be the number of candidates and the number of seats, "
            f"found {raw.strip()[:40].decode('utf-8', 'replace')!r}",
            line,
            path,
        )
    n, seats = int(tokens[0]), int(tokens[1])
    if n < 1:
        raise BallotFileError("the header gives no candidates", line, path)
    if seats < 1:
        raise BallotFileError("the header gives no seats to fill", line, path)
    if n > 100_000:
        raise BallotFileError(f"the header claims {n} candidates, too many to be real", line, path)
    return n, seats


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _name_tokens(lines: list[bytes], first_line: int, path: str | None) -> list[tuple[str, int]]:
    tokens: list[tuple[str, int]] = []
    for offset, raw in enumerate(lines):
        line = first_line + offset
        text = _decode(raw).strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith('"'):
            found = _QUOTED.findall(text)
            rest = _QUOTED.sub("", text).strip()
            if rest and not rest.startswith("#"):
                raise BallotFileError(f"unbalanced quotes in {text[:60]!r}", line, path)
            tokens.extend((name.strip(), line) for name in found)
        else:
            tokens.append((text, line))
    return tokens


def read_blt(
    stream: BinaryIO,
    path: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Election:
    """Read a BLT ballot file, streaming it.

    Args:
        stream: the file opened in binary mode (or ``sys.stdin.buffer``).
        path: the name to use in error messages.
        progress: called with the number of lines read so far, once per chunk.

    Returns:
        The election, with identical rankings grouped.

    Raises:
        BallotFileError: the file is malformed; the error names the line.
    """
    lineno = 0
    while True:
        raw = stream.readline()
        if not raw:
            raise BallotFileError(
                "the file is empty: expected a first line 'candidates seats'", None, path
            )
        lineno += 1
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if _strip_comment(raw):
            break
    n, seats = _parse_header(raw, lineno, path)

    parsed: dict[bytes, _Parsed] = {}
    totals: dict[Ranking, int] = {}
    withdrawn: set[int] = set()
    empty = 0
    tail: list[bytes] = []
    carry = b""
    while True:
        # Split big blocks ourselves: much faster than readlines() on millions of lines.
        block = stream.read(_CHUNK)
        if not block:
            if not carry:
                raise BallotFileError(
                    "the file ends before the line '0' that closes the ballots", lineno, path
                )
            lines = [carry]
            carry = b""
        else:
            lines = (carry + block).split(b"\n")
            carry = lines.pop()
        chunk = Counter(lines)
        end_at = -1
        for key in chunk:
            if key not in parsed:
                parsed[key] = _parse_ballot_line(key, n)
            if parsed[key][0] == _END:
                at = lines.index(key)
                end_at = at if end_at < 0 else min(end_at, at)
        if end_at >= 0:
            tail = [line + b"\n" for line in lines[end_at + 1 :]]
            if carry:
                tail.append(carry)
            chunk = Counter(lines[:end_at])
        for key, times in chunk.items():
            kind, ranking, weight, message = parsed[key]
            if kind == _BALLOT:
                if ranking:
                    totals[ranking] = totals.get(ranking, 0) + weight * times
                else:
                    empty += weight * times
            elif kind == _WITHDRAWN:
                withdrawn.update(ranking)
            elif kind == _ERROR:
                raise BallotFileError(message, lineno + lines.index(key) + 1, path)
        if end_at >= 0:
            lineno += end_at + 1
            break
        lineno += len(lines)
        if progress is not None:
            progress(lineno)

    end_line = lineno
    tail.extend(stream.readlines())
    tokens = _name_tokens(tail, end_line + 1, path)
    if len(tokens) < n:
        raise BallotFileError(
            f"expected {n} candidate names after the ballots, found {len(tokens)}",
            end_line + len(tail),
            path,
        )
    names = [name for name, _ in tokens[:n]]
    seen: dict[str, int] = {}
    for name, line in tokens[:n]:
        if not name:
            raise BallotFileError("a candidate's name is empty", line, path)
        if name in seen:
            raise BallotFileError(
                f"the name {name!r} is given twice (also line {seen[name]})", line, path
            )
        seen[name] = line
    title = tokens[n][0] if len(tokens) > n else ""
    return Election(
        candidates=names,
        seats=seats,
        ballots=totals,
        withdrawn=withdrawn,
        title=title,
        empty=empty,
    )


def read_blt_bytes(data: bytes, path: str | None = None) -> Election:
    """Read a BLT file held in memory (see :func:`read_blt`)."""
    import io

    return read_blt(io.BytesIO(data), path)


def _quote(name: str) -> str:
    if '"' in name:
        raise CountingError(f"the name {name!r} holds a double quote, which BLT cannot carry")
    return f'"{name}"'


def write_blt(election: Election, out: TextIO) -> None:
    """Write an election as BLT, one line per distinct ranking.

    Args:
        election: the election to write.
        out: a text stream.

    Raises:
        CountingError: a name cannot be written in BLT (it holds a double quote).
    """
    out.write(f"{len(election.candidates)} {election.seats}\n")
    if election.withdrawn:
        out.write(" ".join(f"-{c + 1}" for c in sorted(election.withdrawn)) + "\n")
    for ranking, weight in election.ballots.items():
        out.write(f"{weight} {' '.join(str(c + 1) for c in ranking)} 0\n")
    if election.empty:
        out.write(f"{election.empty} 0\n")
    out.write("0\n")
    for name in election.candidates:
        out.write(_quote(name) + "\n")
    out.write(_quote(election.title) + "\n")
