"""Count a BLT file with a comparison library (run inside bench/count/.venv).

Usage: compare.py LIBRARY METHOD FILE SEATS. Prints the winners and the
seconds from starting to read the file to the result.
"""

import sys
import time


def read(path: str) -> tuple[list[str], list[list[str]]]:
    with open(path) as f:
        n, _ = map(int, f.readline().split())
        ballots = []
        for line in f:
            tokens = line.split()
            if tokens == ["0"]:
                break
            ballots.append([f"Candidate {t}" for t in tokens[1:-1]])
    return [f"Candidate {i + 1}" for i in range(n)], ballots


def main() -> None:
    library, method, path, seats_text = sys.argv[1:5]
    seats = int(seats_text)
    start = time.perf_counter()
    names, ballots = read(path)
    if library == "pyrankvote":
        import pyrankvote

        people = {n: pyrankvote.Candidate(n) for n in names}
        bs = [pyrankvote.Ballot(ranked_candidates=[people[c] for c in b]) for b in ballots]
        if method == "irv":
            result = pyrankvote.instant_runoff_voting(list(people.values()), bs)
        else:
            result = pyrankvote.single_transferable_vote(list(people.values()), bs, seats)
        winners = [c.name for c in result.get_winners()]
    elif library == "pref_voting":
        from pref_voting.profiles_with_ties import ProfileWithTies
        from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

        profile = ProfileWithTies(
            [{c: i + 1 for i, c in enumerate(b)} for b in ballots], candidates=names
        )
        winners = [str(w) for w in instant_runoff_for_truncated_linear_orders(profile)]
    elif library == "votekit":
        from votekit import Ballot, PreferenceProfile
        from votekit.elections import IRV, STV

        profile = PreferenceProfile(
            ballots=[Ballot(ranking=[{c} for c in b], weight=1) for b in ballots],
            candidates=names,
        )
        election = IRV(profile) if method == "irv" else STV(profile, m=seats)
        winners = sorted(c for s in election.get_elected() for c in s)
    else:
        raise SystemExit(f"unknown library {library}")
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f}\t{','.join(winners)}")


if __name__ == "__main__":
    main()
