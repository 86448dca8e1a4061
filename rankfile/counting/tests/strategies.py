"""Hypothesis strategies for the engine's tests, in one place."""

from hypothesis import strategies as st

from rankfile.counting.ballots import Election


@st.composite
def elections(
    draw: st.DrawFn,
    min_candidates: int = 2,
    max_candidates: int = 6,
    max_seats: int = 3,
    max_rankings: int = 25,
) -> Election:
    """Small elections: a few candidates, weighted rankings of random lengths."""
    n = draw(st.integers(min_candidates, max_candidates))
    seats = draw(st.integers(1, min(max_seats, n)))
    candidates = [f"Candidate {chr(65 + i)}" for i in range(n)]
    election = Election(candidates=candidates, seats=seats)
    rankings = draw(
        st.lists(
            st.permutations(range(n)).flatmap(
                lambda p: st.integers(1, len(p)).map(lambda k: tuple(p[:k]))
            ),
            min_size=1,
            max_size=max_rankings,
        )
    )
    for ranking in rankings:
        election.add(ranking, draw(st.integers(1, 30)))
    return election
