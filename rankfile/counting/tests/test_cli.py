"""The command line: output formats, errors without tracebacks, no Django."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rankfile.counting.cli import main
from rankfile.counting.tests.conftest import DATA

CALTON = str(DATA / "glasgow2007_calton.blt")


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rankfile.counting", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_counts_without_importing_django() -> None:
    code = (
        "import sys, io, contextlib\n"
        "import rankfile.counting\n"
        "from rankfile.counting.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['count', {CALTON!r}, '--format', 'json', '--seed', '1'])\n"
        "print('django' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert "False" == out.stdout.strip()


def test_it_prints_json_in_the_documented_schema() -> None:
    out = run("count", CALTON, "--format", "json", "--seed", "5")
    data = json.loads(out.stdout)

    assert 0 == out.returncode
    assert {"schema", "version", "method", "seats", "seed", "elected", "quota", "rounds"} <= set(
        data
    )
    assert 5 == data["seed"]
    assert "1300.00000" == data["quota"]
    assert {"votes", "non_transferable", "action", "elected", "excluded"} <= set(data["rounds"][0])


def test_it_reads_standard_input_and_declares_its_sha256() -> None:
    data = Path(CALTON).read_bytes()

    out = run("count", "-", "--method", "irv", "--seats", "1", stdin=data)

    assert 0 == out.returncode
    assert "Ballot file:     standard input" in out.stdout
    assert hashlib.sha256(data).hexdigest() in out.stdout
    assert "George Redmond" in out.stdout


def test_it_reports_a_bad_file_with_its_line_and_exit_status_2() -> None:
    out = run("count", "-", stdin=b"2 1\n1 1 0\n1 1 5 0\n0\nA\nB\n")

    assert 2 == out.returncode
    assert "rankfile count: error: standard input line 3: candidate 5 does not exist" in out.stderr
    assert "Traceback" not in out.stderr


def test_it_reports_a_missing_file_without_a_traceback() -> None:
    out = run("count", "/nonexistent/x.blt")

    assert 2 == out.returncode
    assert "Traceback" not in out.stderr


def test_it_prints_its_version() -> None:
    out = run("--version")

    assert out.stdout.startswith("rankfile ")


@pytest.mark.parametrize("fmt", ["text", "html", "csv", "json"])
def test_it_writes_each_format_and_a_chart(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "c.svg"

    status = main(["count", CALTON, "--format", fmt, "--chart", str(chart), "--seed", "1"])

    assert 0 == status
    assert "Ruth Simpson" in capsys.readouterr().out
    assert chart.read_text().startswith("<svg")


def test_it_converts_between_formats(tmp_path: Path) -> None:
    target = tmp_path / "calton.csv"
    back = tmp_path / "calton.blt"

    assert 0 == main(["convert", CALTON, str(target)])
    assert 0 == main(["convert", str(target), str(back)])

    out = run("count", str(back), "--format", "json", "--seed", "1")
    assert ["George Redmond", "Alison E Thewliss", "Ruth Simpson"] == json.loads(out.stdout)[
        "elected"
    ]


def test_it_applies_a_group_minimum_from_a_file_beside_the_ballots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ballots = tmp_path / "calton.blt"
    ballots.write_bytes(Path(CALTON).read_bytes())
    (tmp_path / "calton.groups.json").write_text(
        json.dumps(
            {"groups": {"women": ["Ruth Simpson", "Alison E Thewliss"]}, "minimum": {"women": 2}}
        )
    )

    assert 0 == main(["count", str(ballots), "--format", "json", "--seed", "1"])

    data = json.loads(capsys.readouterr().out)
    assert {"Ruth Simpson", "Alison E Thewliss"} <= set(data["elected"])
    assert "women" in data["options"]["groups"]
