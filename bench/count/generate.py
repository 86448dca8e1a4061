"""Synthetic ranked ballots for the counting benchmark.

The generator (fixed seed): candidate i has weight 1 / (i + 1) ** 0.7; a
ballot's ranking is drawn without replacement in proportion to the weights of
the candidates not yet ranked (Plackett-Luce), and cut at a random length L,
with P(L = k) proportional to 0.55 ** (k - 1) for k = 1..candidates, as real
ballots are mostly short. Ballots are written one per line (weight 1), never
pre-grouped, in BLT.
"""

from __future__ import annotations

import itertools
import random


def _weights(candidates: int) -> list[float]:
    return [1 / (i + 1) ** 0.7 for i in range(candidates)]


def _lengths(candidates: int) -> list[float]:
    return [0.55**k for k in range(candidates)]


def _draw(rng: random.Random, candidates: int) -> tuple[int, ...]:
    weights = _weights(candidates)
    length = rng.choices(range(1, candidates + 1), _lengths(candidates))[0]
    left = list(range(candidates))
    ranking = []
    for _ in range(length):
        pick = rng.choices(range(len(left)), [weights[c] for c in left])[0]
        ranking.append(left.pop(pick))
    return tuple(ranking)


def _all_rankings(candidates: int) -> tuple[list[tuple[int, ...]], list[float]]:
    """Every truncated ranking with its exact probability (small fields only)."""
    weights = _weights(candidates)
    lengths = _lengths(candidates)
    total_len = sum(lengths)
    rankings, probs = [], []
    for k in range(1, candidates + 1):
        for perm in itertools.permutations(range(candidates), k):
            p = lengths[k - 1] / total_len
            left = sum(weights)
            for c in perm:
                p *= weights[c] / left
                left -= weights[c]
            rankings.append(perm)
            probs.append(p)
    return rankings, probs


def write_blt(path: str, ballots: int, candidates: int, seats: int, seed: int = 2025) -> int:
    """Write ``ballots`` ballots, one per line; return the number of distinct rankings."""
    rng = random.Random(seed)
    distinct: set[tuple[int, ...]] = set()
    with open(path, "w") as f:
        f.write(f"{candidates} {seats}\n")
        if candidates <= 6:
            rankings, probs = _all_rankings(candidates)
            lines = [f"1 {' '.join(str(c + 1) for c in r)} 0\n" for r in rankings]
            done = 0
            while done < ballots:
                k = min(500_000, ballots - done)
                picks = rng.choices(range(len(rankings)), probs, k=k)
                distinct.update(picks)  # type: ignore[arg-type]
                f.write("".join(lines[i] for i in picks))
                done += k
            count = len(distinct)
        else:
            for _ in range(ballots):
                r = _draw(rng, candidates)
                distinct.add(r)
                f.write(f"1 {' '.join(str(c + 1) for c in r)} 0\n")
            count = len(distinct)
        f.write("0\n")
        for i in range(candidates):
            f.write(f'"Candidate {i + 1}"\n')
        f.write('"Synthetic benchmark"\n')
    return count
