"""Any bytes either parse as a ballot file or raise the engine's own error."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from rankfile.counting.blt import read_blt
from rankfile.counting.errors import BallotFileError
from rankfile.counting.formats import read_ballots

BLT_LIKE = st.lists(
    st.sampled_from(
        [
            b"3 2\n",
            b"1 2 3 0\n",
            b"2 1 0\n",
            b"-1\n",
            b"0\n",
            b'"A"\n',
            b"B\n",
            b"\n",
            b"# c\n",
            b"1 1 1 0\n",
            b"x\n",
            b"\xff\xfe",
            b"=",
            b"4 ",
            b'"',
            b"\r\n",
        ]
    ),
    max_size=30,
).map(b"".join)


@settings(max_examples=150)
@given(st.one_of(st.binary(max_size=400), BLT_LIKE))
def test_any_bytes_parse_or_raise_a_ballot_file_error(data: bytes) -> None:
    try:
        election = read_blt(io.BytesIO(data), "fuzz.blt")
    except BallotFileError as e:
        assert e.message
    else:
        assert len(election.candidates) >= 1


@settings(max_examples=40)
@given(st.binary(max_size=300), st.sampled_from(["x.csv", "x.json", "-"]))
def test_other_readers_parse_or_raise_a_ballot_file_error(data: bytes, name: str) -> None:
    try:
        read_ballots(io.BytesIO(data), name)
    except BallotFileError as e:
        assert e.message
