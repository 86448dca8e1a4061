"""Real elections, counted by the rule their expected file names, against their declared results.

Each ``data/<name>.blt`` is byte-for-byte as published (sources in
data/SOURCES.md). Where a reference report (``<name>.report.txt``, from the
Droop package) exists, the quota, the first-stage totals and the order of
election are also checked, at the report's precision.
"""

import json
import re
from pathlib import Path

import pytest

from rankfile.counting.base import CountOptions
from rankfile.counting.blt import read_blt
from rankfile.counting.engine import count
from rankfile.counting.rounds import fmt

DATA = Path(__file__).parent / "data"
CASES = sorted(p.name.removesuffix(".expected.json") for p in DATA.glob("*.expected.json"))


def parse_report(text: str) -> dict[str, object]:
    """Quota, first-stage votes and the order of election from a Droop report."""
    quota = re.search(r"^\tQuota: ([0-9.]+)$", text, re.M)
    assert quota is not None
    begin = text.split("Action: Begin Count\n", 1)[1]
    first: dict[str, str] = {}
    for line in begin.splitlines():
        if line.startswith("Action:") or line.startswith("Round"):
            break
        m = re.match(r"\tHopeful:  (.*) \(([0-9.]+)\)$", line)
        if m:
            first[m.group(1)] = m.group(2)
    stages: list[list[str]] = []
    for m in re.finditer(r"^Action: Elect[^:]*: (.*)$", text, re.M):
        stages.append([name.strip() for name in m.group(1).split(", ")])
    return {"quota": quota.group(1), "first": first, "stages": stages}


@pytest.mark.parametrize("name", CASES)
def test_it_elects_the_declared_candidates(name: str) -> None:
    expected = json.loads((DATA / f"{name}.expected.json").read_text())
    with open(DATA / f"{name}.blt", "rb") as f:
        election = read_blt(f, name)

    result = count(election, expected["method"], expected["seats"], CountOptions(seed=1))

    assert sorted(expected["elected"]) == sorted(result.elected)


@pytest.mark.parametrize("name", CASES)
def test_it_does_not_depend_on_the_lot(name: str) -> None:
    """Any lot drawn (GPUS: between write-ins with no votes) never changes who wins."""
    expected = json.loads((DATA / f"{name}.expected.json").read_text())
    with open(DATA / f"{name}.blt", "rb") as f:
        election = read_blt(f, name)

    results = {
        tuple(count(election, expected["method"], expected["seats"], CountOptions(seed=s)).elected)
        for s in range(5)
    }

    assert {tuple(expected["elected"])} == results


@pytest.mark.parametrize("name", [n for n in CASES if (DATA / f"{n}.report.txt").exists()])
def test_it_matches_the_reference_report(name: str) -> None:
    expected = json.loads((DATA / f"{name}.expected.json").read_text())
    report = parse_report((DATA / f"{name}.report.txt").read_text())
    with open(DATA / f"{name}.blt", "rb") as f:
        election = read_blt(f, name)

    result = count(election, expected["method"], expected["seats"], CountOptions(seed=1))

    assert report["quota"] == fmt(result.quota or 0, result.precision)
    assert report["first"] == {
        k: fmt(v, result.precision) for k, v in result.rounds[0].votes.items()
    }
    stages = report["stages"]
    assert isinstance(stages, list)
    by_stage = [sorted(r.elected) for r in result.rounds if r.elected]
    assert [sorted(s) for s in stages] == by_stage or [
        n for s in stages for n in s
    ] == result.elected
    assert expected["elected"] == result.elected


def test_it_keeps_padded_names_as_published() -> None:
    with open(DATA / "edinburgh2015_leith_walk_by.blt", "rb") as f:
        election = read_blt(f)

    assert "John Lewis RITCHIE              (SNP)" in election.candidates
