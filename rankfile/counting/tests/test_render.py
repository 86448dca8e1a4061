"""The published forms of a count: an 80-column declaration, HTML, and the chart."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rankfile.counting import __version__
from rankfile.counting.base import CountOptions
from rankfile.counting.blt import read_blt
from rankfile.counting.engine import count
from rankfile.counting.render import Source, axis_ticks, render_html, render_svg, render_text
from rankfile.counting.rounds import Result
from rankfile.counting.tests.conftest import DATA

CALTON = DATA / "glasgow2007_calton.blt"
GPUS = DATA / "gpus2005_withdrawn.blt"  # a lot is drawn between write-ins with no votes
ELECTIONS = sorted(DATA.glob("*.blt"))


def counted(path: Path, method: str = "stv-scottish", seed: int | None = None) -> Result:
    with open(path, "rb") as f:
        election = read_blt(f, path.name)
    return count(election, method, options=CountOptions(seed=seed))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rankfile.counting", "count", *args],
                          capture_output=True, text=True, timeout=60, check=True)


@pytest.mark.parametrize("method", ["stv-scottish", "stv-meek"])
@pytest.mark.parametrize("path", ELECTIONS, ids=lambda p: p.stem)
def test_it_fits_the_declaration_in_80_columns(path: Path, method: str) -> None:
    text = render_text(counted(path, method, seed=1), Source.of(path.name, path.read_bytes()))

    assert [] == [line for line in text.splitlines() if len(line) > 80]


def test_it_opens_with_the_declaration_header() -> None:
    data = CALTON.read_bytes()

    head = cli(str(CALTON)).stdout.split("\n\n", 1)[0]

    assert head.startswith("Declaration of result: CALTON\n")
    for fact in ("Ballot file:     glasgow2007_calton.blt",
                 f"SHA-256:\n  {hashlib.sha256(data).hexdigest()}",
                 f"Counted by:      rankfile counting engine {__version__}",
                 "Method:          stv-scottish: Scottish STV", "Options:         none",
                 "Seats:           3", "Valid ballots:   5199", "Invalid ballots: 0",
                 "Quota:           1300.00000"):
        assert fact in head


@pytest.mark.parametrize("fmt", ["text", "html", "json", "csv"])
def test_it_prints_the_same_count_the_same_way_every_time_when_no_lot_is_drawn(
        fmt: str) -> None:
    first, second = cli(str(CALTON), "--format", fmt), cli(str(CALTON), "--format", fmt)

    assert first.stdout == second.stdout
    assert ("", "") == (first.stderr, second.stderr)
    assert "seed" not in first.stdout.lower().replace('"seed": null', "")


def test_it_prints_the_seed_of_a_lot_so_the_count_can_be_repeated() -> None:
    out = cli(str(GPUS), "--method", "stv-meek").stdout

    found = re.search(r"^Seed:\s+(\d+): (\d+) lot\(s\) drawn; rerun with --seed \1", out, re.M)
    assert found is not None
    assert out == cli(str(GPUS), "--method", "stv-meek", "--seed", found[1]).stdout
    assert f"(seed {found[1]})" in out  # the draw itself, among the stages


def test_it_gives_the_seed_in_json_only_when_it_was_used() -> None:
    assert None is json.loads(cli(str(CALTON), "--format", "json").stdout)["seed"]
    assert 7 == json.loads(cli(str(GPUS), "--method", "stv-meek", "--format", "json",
                                "--seed", "7").stdout)["seed"]


def test_it_ticks_the_vote_axis_at_round_numbers() -> None:
    assert [0, 500, 1000, 1500, 2000] == axis_ticks(198200000, 10**5)
    assert [0, 1, 2, 3] == axis_ticks(3)
    assert [0, 25, 50, 75, 100] == axis_ticks(94)


@given(st.integers(1, 10**12), st.sampled_from([1, 10**5, 10**9]))
def test_it_ticks_from_zero_past_the_top_in_one_round_step(top: int, scale: int) -> None:
    ticks = axis_ticks(top, scale)

    step = ticks[1] - ticks[0]
    assert 0 == ticks[0] and ticks[-1] * scale >= top > ticks[-2] * scale
    assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False))
    assert re.fullmatch(r"(1|2|25|5)0*", str(step))
    assert 2 <= len(ticks) <= 9


def test_it_draws_the_quota_over_the_candidates_and_labels_it() -> None:
    svg = render_svg(counted(CALTON, seed=1))

    ticks = re.findall(r'text-anchor="end">(\d+)</text>', svg)
    assert ["0", "500", "1000", "1500", "2000"] == ticks
    last_candidate = svg.rindex("<title>Ruth Simpson</title>")
    assert svg.index("<title>quota</title>") > last_candidate
    assert ">quota 1300</text>" in svg


class Page(HTMLParser):
    """The tags of an HTML page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def test_it_writes_a_self_contained_accessible_html_declaration() -> None:
    data = CALTON.read_bytes()
    html = render_html(counted(CALTON, seed=1), Source.of("calton.blt", data))
    page = Page()
    page.feed(html)

    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert ([], []) == (page.named("script"), page.named("link"))
    assert [] == [a for _, a in page.tags if any(v and "//" in v and "w3.org" not in v
                                                   for v in a.values())]
    assert "<style>" in html and 1 == len(page.named("svg"))
    assert "img" == page.named("svg")[0]["role"]
    assert len(page.named("table")) == len(page.named("caption")) >= 2
    assert {"col", "row"} == {a.get("scope") for a in page.named("th")}
    assert hashlib.sha256(data).hexdigest() in html
    assert "<li>George Redmond</li>" in html and "Declaration of result: CALTON" in html


def test_it_escapes_names_in_html() -> None:
    with open(CALTON, "rb") as f:
        election = read_blt(f, "calton.blt")
    election.candidates[0] = "<b>Gary</b> & co"

    html = render_html(count(election, "stv-scottish", options=CountOptions(seed=1)))

    assert "<b>Gary" not in html and "&lt;b&gt;Gary&lt;/b&gt; &amp; co" in html
