"""Benchmark ``rankfile count`` against pyrankvote, pref_voting and votekit.

Run from the project root: ``.venv/bin/python bench/count/run.py`` (add
``--quick`` for smaller files). It writes synthetic BLT files (see
generate.py) into a temporary directory, runs every program on the same file
as a separate process, and prints wall time and peak memory (RSS, from
``wait4``). rankfile is timed for the whole command, start-up included; the
comparison libraries from reading the file to their result (they run in
bench/count/.venv, which this script creates, never in the project's venv).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from generate import write_blt  # noqa: E402

VENV = HERE / ".venv"
LIBRARIES = {
    "irv": ["pyrankvote", "pref_voting", "votekit"],
    "stv-scottish": ["pyrankvote", "votekit"],
}


def measure(cmd: list[str], timeout: float) -> tuple[float, float, float, str]:
    """Run ``cmd``; return wall seconds, peak RSS in MB, CPU seconds and its output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return float("nan"), float("nan"), float("nan"), "timeout"
            time.sleep(0.005)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode()
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, text


def rankfile_cmd(path: str, method: str, seats: int) -> list[str]:
    exe = ROOT / ".venv" / "bin" / "rankfile"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "rankfile.counting"]
    return [
        *base,
        "count",
        path,
        "--method",
        method,
        "--seats",
        str(seats),
        "--format",
        "json",
        "--seed",
        "1",
    ]


def ensure_venv() -> bool:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "pyrankvote", "pref_voting", "votekit"],
            check=False,
        )
    return python.exists()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller files, no comparisons")
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    cases = [
        ("irv", 650_000 // scale, 4, 1),
        ("irv", 6_500_000 // scale, 4, 1),
        ("stv-scottish", 100_000 // scale, 12, 3),
        ("stv-meek", 100_000 // scale, 12, 3),
        ("stv-scottish", 1_000_000 // scale, 12, 3),
        ("stv-meek", 1_000_000 // scale, 12, 3),
    ]
    compare = not (args.quick or args.no_compare) and ensure_venv()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"# {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, {cpu}, Python {platform.python_version()}"
    )
    print(f"# load average at start: {os.getloadavg()[0]:.1f}")
    print(
        "| method | ballots | candidates | distinct rankings | program | wall s | CPU s "
        "| peak MB | their time / ours |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[tuple[int, int], tuple[str, int]] = {}
        for method, ballots, candidates, seats in cases:
            key = (ballots, candidates)
            if key not in files:
                path = os.path.join(tmp, f"b{ballots}_{candidates}.blt")
                files[key] = (path, write_blt(path, ballots, candidates, seats))
            path, distinct = files[key]
            wall, mb, cpu, out = measure(rankfile_cmd(path, method, seats), 600)
            print(
                f"| {method} | {ballots:,} | {candidates} | {distinct:,} | rankfile count | "
                f"{wall:.2f} | {cpu:.2f} | {mb:.0f} | 1 |",
                flush=True,
            )
            if (
                not compare
                or ballots > 1_000_000
                or (method, candidates) == ("stv-scottish", 12)
                and ballots > 100_000
            ):
                continue
            for lib in LIBRARIES.get(method, []):
                t, lmb, lcpu, lout = measure(
                    [
                        str(VENV / "bin" / "python"),
                        str(HERE / "compare.py"),
                        lib,
                        "irv" if method == "irv" else "stv",
                        path,
                        str(seats),
                    ],
                    900,
                )
                seconds = lout.split("\t")[0] if "\t" in lout else "failed"
                try:
                    ratio = f"{float(seconds) / wall:.1f}x (CPU {lcpu / cpu:.1f}x)"
                except ValueError:
                    ratio = "-"
                print(
                    f"| {method} | {ballots:,} | {candidates} | {distinct:,} | {lib} | "
                    f"{seconds} (process {t:.1f}) | {lcpu:.1f} | {lmb:.0f} | {ratio} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
