"""Reading and writing BLT, CSV and JSON ballot files."""

import io

import pytest

from rankfile.counting.ballots import Election
from rankfile.counting.blt import read_blt, write_blt
from rankfile.counting.errors import BallotFileError
from rankfile.counting.formats import read_ballots, write_ballots
from rankfile.counting.tests.conftest import DATA


def read(text: str) -> Election:
    return read_blt(io.BytesIO(text.encode()), "t.blt")


def test_it_reads_quoted_names_comments_and_withdrawals() -> None:
    election = read(
        '# a comment\n3 2\n-2\n\n4 1 2 0  # four ballots\n1 3 0\n2 0\n0\n"Alice"\n'
        '"Bob Smith" \n  "  Carol  "\n"The Title"\n'
    )

    assert ["Alice", "Bob Smith", "Carol"] == election.candidates
    assert {(0, 1): 4, (2,): 1} == election.ballots
    assert {1} == election.withdrawn
    assert 2 == election.empty
    assert "The Title" == election.title


def test_it_reads_unquoted_names_without_a_final_newline() -> None:
    election = read("2 1\n1 1 0\n0\nAlice  SMITH   (X)\n Bob \nWard 1")

    assert ["Alice  SMITH   (X)", "Bob"] == election.candidates
    assert "Ward 1" == election.title


def test_it_groups_identical_ballot_lines() -> None:
    lines = "".join("1 1 2 0\n" if i % 3 else "1 2 0\n" for i in range(3000))
    election = read(f"2 1\n{lines}0\nA\nB\nT\n")

    assert {(0, 1): 2000, (1,): 1000} == election.ballots


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty"),
        ("x y\n", 1, "first line"),
        ("2 1\n1 1 3 0\n0\nA\nB\n", 2, "does not exist"),
        ("2 1\n1 1 1 0\n0\nA\nB\n", 2, "twice"),
        ("2 1\n1 1 2\n0\nA\nB\n", 2, "end with 0"),
        ("2 1\n1 1 0\n1 2=1 0\n0\nA\nB\n", 3, "equal"),
        ("2 1\n1 1 0\n", 2, "closes the ballots"),
        ("2 1\n1 1 0\n0\nA\n", 4, "expected 2 candidate names"),
        ("2 1\n1 1 0\n0\nA\nA\n", 5, "given twice"),
        ("2 1\n-3\n1 1 0\n0\nA\nB\n", 2, "withdrawn"),
        ('2 1\n1 1 0\n0\n"A\n"B"\n', 4, "quotes"),
    ],
)
def test_it_names_the_line_and_the_fault(text: str, line: int | None, words: str) -> None:
    with pytest.raises(BallotFileError) as caught:
        read(text)

    assert line == caught.value.line
    assert words in caught.value.message


@pytest.mark.parametrize("fmt", ["blt", "csv", "json"])
def test_it_round_trips_every_format(fmt: str) -> None:
    with open(DATA / "gpus2005_withdrawn.blt", "rb") as f:
        original = read_blt(f)
    out = io.StringIO()

    write_ballots(original, out, fmt)
    again = read_ballots(io.BytesIO(out.getvalue().encode()), f"x.{fmt}")

    assert original.candidates == again.candidates
    assert original.ballots == again.ballots
    assert original.withdrawn == again.withdrawn
    assert original.seats == again.seats
    assert original.title == again.title


def test_it_guesses_the_format_from_the_content() -> None:
    csv_text = b"# seats: 1\nAlice,Bob\nBob\n"
    blt_text = b"2 1\n1 1 0\n0\nA\nB\n"

    assert ["Alice", "Bob"] == read_ballots(io.BytesIO(csv_text), "-").candidates
    assert ["A", "B"] == read_ballots(io.BytesIO(blt_text), "-").candidates


def test_it_writes_blt_it_can_read_back() -> None:
    election = read('3 1\n2 1 3 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    out = io.StringIO()

    write_blt(election, out)

    assert election.ballots == read(out.getvalue()).ballots
