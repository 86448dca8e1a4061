"""Sign-up surge benchmark: replay the 2016 surge through real HTTP POSTs of /api/join.

For each database it creates a fresh one, migrates it, loads the Waltham
Forest postcodes and the joining offers, and serves the app with gunicorn in
production mode. Then, with wrk at 32 connections, it measures a trivial view
and a bare one-row insert (the baselines), replays the sign-ups, checks that
the database holds exactly the acknowledged sign-ups, tops the database up to
500,000 people and measures GET /api/stats served from its cache and
recomputed on every request.

Run it with bench/signup_surge/run (see --help). It prints a table and writes
the figures as JSON to bench/signup_surge/last-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench" / "common"))
from env import django_env, machine  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "rankfile_bench_surge")
# Production runs with Redis as the shared cache (core/checks.py refuses a
# per-process cache): the counters' cache and the rate limits live there.
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
STALL = 5
GEO_DIRS = [ROOT / "rankfile" / "branches" / "data" / "waltham_forest", ROOT.parent / "shared" / "geo"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def result_line(output: str) -> dict:
    found = re.search(r"^RESULT (\{.*\})$", output, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return json.loads(found.group(1))


class Bench:
    def __init__(self, db: str, args: argparse.Namespace) -> None:
        self.db = db
        self.args = args
        self.figures: dict = {}
        self.tmp = Path(tempfile.mkdtemp(prefix=f"surge-{db}-"))
        self.port = args.port
        self.server: subprocess.Popen | None = None
        if db == "sqlite":
            url = f"sqlite:///{self.tmp / 'rankfile.sqlite3'}"
        else:
            url = f"{PG_SERVER}/{PG_DB}"
        self.env = django_env({
            **os.environ,
            "DATABASE_URL": url,
            "RANKFILE_MODE": "production",
            "REDIS_URL": REDIS,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            # The documented exemption: the load generator is one loopback client.
            "RATELIMIT_EXEMPT_IPS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            # How the sign-up writes its rows (settings.JOIN_WRITE_PATH).
            "RANKFILE_JOIN_PATH": args.path,
        })

    # -- the database ---------------------------------------------------------------------

    def django(self, *args: str, env: dict | None = None) -> dict:
        done = subprocess.run([PYTHON, str(HERE / "data.py"), *args], env=env or self.env,
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise RuntimeError(f"data.py {' '.join(args)} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def create_database(self) -> None:
        import redis

        # A fresh cache too: the counters cached by a previous run are not this one's.
        redis.Redis.from_url(REDIS).flushdb()
        if self.db == "postgres":
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DB}")
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=self.env, check=True,
                       cwd=ROOT)
        geo = next((d for d in GEO_DIRS if (d / "postcodes.csv").exists()), None)
        if geo is None:
            raise SystemExit("No postcodes.csv found in " + ", ".join(map(str, GEO_DIRS)))
        self.postcodes = geo / "postcodes.csv"
        subprocess.run(
            [PYTHON, "manage.py", "import_geo", "--wards", str(geo / "wards.csv"),
             "--branches", str(geo / "branches.csv"), "--postcodes", str(self.postcodes)],
            env=self.env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )
        self.django("offers")

    # -- the server -------------------------------------------------------------------------

    def start(self, **extra_env: str) -> None:
        env = {**self.env, **extra_env}
        # A server left by an interrupted run would answer instead, and every
        # figure would be its own.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                raise RuntimeError(f"port {self.port} is taken (a server left by an earlier "
                                   "run?): stop it or pass --port") from None
        self.server = subprocess.Popen(
            [GUNICORN, "rankfile.wsgi", "--workers", str(self.args.workers),
             "--worker-class", self.args.worker_class, "--threads", str(self.args.threads),
             "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048",
             "--log-level", "warning", "--timeout", "120"],
            env=env, cwd=ROOT, stdout=open(self.tmp / "gunicorn.log", "a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120  # a loaded machine takes its time
        while time.time() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.server.returncode}); see "
                                   f"{self.tmp / 'gunicorn.log'}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/bench/trivial",
                                       timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.tmp / 'gunicorn.log'}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None

    # -- the load -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wrk_simple(self, path: str, method: str = "GET", *, seconds: int | None = None,
                   connections: int | None = None, threads: int = 2) -> dict:
        connections = connections or self.args.connections
        out = subprocess.run(
            [WRK, f"-t{min(threads, connections)}", f"-c{connections}",
             f"-d{seconds or self.args.seconds}s", "--timeout", "30s",
             "-s", str(HERE / "simple.lua"), self.url(path), "--", method],
            check=True, capture_output=True, text=True,
        ).stdout
        return result_line(out)

    def wrk_join(self, signups: int) -> dict:
        out_dir = self.tmp / "join"
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir()
        threads = 2
        quota = -(-signups // threads)
        run_id = secrets.token_hex(3)
        started = time.perf_counter()
        wrk = subprocess.Popen(
            [WRK, f"-t{threads}", f"-c{self.args.connections}", "-d3600s", "--timeout", "30s",
             "-s", str(HERE / "join.lua"), self.url("/api/join"), "--",
             str(self.postcodes), str(quota), str(out_dir), run_id],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        # wrk's main thread sleeps for -d whatever its threads do: once every
        # thread has sent its quota and read every answer, interrupt it. A few
        # answers can go unread by wrk (see RESULTS.md); when nothing has been
        # answered for STALL seconds, stop too, timing up to the last answer.
        size, last_change = 0, time.perf_counter()
        while len(list(out_dir.glob("done-*"))) < threads and wrk.poll() is None:
            now_size = sum(p.stat().st_size for p in out_dir.glob("refs-*.txt"))
            if now_size != size:
                size, last_change = now_size, time.perf_counter()
            elif time.perf_counter() - last_change > STALL:
                break
            time.sleep(0.05)
        finished = time.perf_counter()
        stalled = len(list(out_dir.glob("done-*"))) < threads
        elapsed = (last_change if stalled else finished) - started
        wrk.send_signal(signal.SIGINT)
        output, _ = wrk.communicate(timeout=60)
        result = result_line(output)
        result["seconds"] = round(elapsed, 1)
        result["stalled"] = stalled
        result["per_second"] = round(result["ok"] / elapsed, 1)
        failures = "".join(p.read_text() for p in out_dir.glob("failures-*.txt"))
        result["failure_samples"] = failures.splitlines()[:5]
        result["check"] = self.django("check", str(out_dir))
        return result

    # -- the whole run --------------------------------------------------------------------

    def run(self) -> dict:
        log(f"{self.db}: creating and migrating a fresh database in {self.tmp}")
        self.create_database()
        # Kept on the object, so that a failure later in the run keeps what was measured.
        self.figures = figures = {"db": self.db, "path": self.args.path,
                                  "workers": self.args.workers,
                                  "worker_class": self.args.worker_class,
                                  "threads": self.args.threads,
                                  "connections": self.args.connections}
        if self.args.compare_paths:
            log(f"{self.db}: {self.args.compare_paths:,} sign-ups in-process by each path")
            figures["paths_in_process"] = self.django("compare-paths",
                                                      str(self.args.compare_paths))
            log(f"{self.db}: {figures['paths_in_process']}")
        try:
            self.start()
            log(f"{self.db}: baselines, {self.args.seconds} s each")
            figures["trivial"] = self.wrk_simple("/api/bench/trivial")
            figures["insert"] = self.wrk_simple("/api/bench/insert", "POST")
            log(f"{self.db}: replaying {self.args.signups:,} sign-ups")
            figures["join"] = self.wrk_join(self.args.signups)
            log(f"{self.db}: {figures['join']['ok']:,} sign-ups in {figures['join']['seconds']} s")
            # The bare insert again: on a shared machine the speed drifts within a
            # run, and the ratio compares the sign-ups with both (their mean).
            figures["insert_after"] = self.wrk_simple("/api/bench/insert", "POST")
            if self.args.people:
                log(f"{self.db}: topping up to {self.args.people:,} people")
                figures["top_up"] = self.django("top-up", str(self.args.people))
                figures["stats_in_process"] = self.django("time-stats")
                # A short warm-up first, so each worker's first request (its
                # connection and first computation) is not counted.
                self.wrk_simple("/api/stats", seconds=2, connections=8)
                figures["stats_cached"] = self.wrk_simple("/api/stats", seconds=10,
                                                          connections=8)
                figures["stats_cached_1"] = self.wrk_simple("/api/stats", seconds=10,
                                                            connections=1, threads=1)
                self.stop()
                # Every request recomputes: the worst case, one client at a time.
                self.start(STATS_CACHE_SECONDS="0")
                self.wrk_simple("/api/stats", seconds=2, connections=3, threads=1)
                figures["stats_recomputed"] = self.wrk_simple("/api/stats", seconds=10,
                                                              connections=1, threads=1)
        finally:
            self.stop()
        return figures


def table(f: dict) -> str:
    join = f["join"]
    check = join["check"]
    rows = [
        ("trivial view", f"{f['trivial']['per_second']:,.0f}/s",
         f"{f['trivial']['p50_ms']}", f"{f['trivial']['p99_ms']}"),
        ("bare one-row insert", f"{f['insert']['per_second']:,.0f}/s",
         f"{f['insert']['p50_ms']}", f"{f['insert']['p99_ms']}"),
        (f"sign-ups ({join['ok']:,})", f"{join['per_second']:,.0f}/s",
         f"{join['p50_ms']}", f"{join['p99_ms']}"),
    ]
    if "insert_after" in f:
        after = f["insert_after"]
        rows.append(("bare one-row insert, after the sign-ups", f"{after['per_second']:,.0f}/s",
                     f"{after['p50_ms']}", f"{after['p99_ms']}"))
    if "stats_cached" in f:
        rows += [
            ("GET /api/stats, cached, 8 connections",
             f"{f['stats_cached']['per_second']:,.0f}/s",
             f"{f['stats_cached']['p50_ms']}", f"{f['stats_cached']['p99_ms']}"),
            ("GET /api/stats, cached, 1 connection",
             f"{f['stats_cached_1']['per_second']:,.0f}/s",
             f"{f['stats_cached_1']['p50_ms']}", f"{f['stats_cached_1']['p99_ms']}"),
            ("GET /api/stats, recomputed each time, 1 connection", f"{f['stats_recomputed']['per_second']:,.0f}/s",
             f"{f['stats_recomputed']['p50_ms']}", f"{f['stats_recomputed']['p99_ms']}"),
        ]
    lines = [f"| {f['db']} ({f['path']} path) | rate | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    inserts = [f[k]["per_second"] for k in ("insert", "insert_after") if k in f]
    insert = sum(inserts) / len(inserts)
    ratio = join["per_second"] / insert if insert else 0
    lines.append("")
    lines.append(
        f"sign-ups / bare insert{' (mean of before and after)' if len(inserts) > 1 else ''}: "
        f"{ratio:.2f}; acknowledged {check['acknowledged']:,}, "
        f"stored {check['stored']:,}, lost {check['lost']}, acknowledged twice "
        f"{check['acknowledged_twice']}, stored but unacknowledged "
        f"{check['stored_unacknowledged']}, refused {join['answered'] - join['ok']}, "
        f"socket errors {join['connect_errors'] + join['read_errors'] + join['write_errors']}, "
        f"timeouts {join['timeouts']}"
    )
    if "stats_in_process" in f:
        s = f["stats_in_process"]
        lines.append(f"stats recompute in-process with {s['people']:,} people: median "
                     f"{s['median_ms']} ms, max {s['max_ms']} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--signups", type=int, default=183_000)
    parser.add_argument("--people", type=int, default=500_000,
                        help="top the database up to this many for the stats (0: skip)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync",
                        help="gunicorn's worker class: sync (no keep-alive) or gthread")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10, help="length of each baseline")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--path", choices=("fast", "orm"), default="fast",
                        help="how a sign-up writes its rows: core.db.insert_together (fast) "
                             "or save() and enqueue() (orm)")
    parser.add_argument("--compare-paths", type=int, default=0, metavar="N",
                        help="first, N sign-ups in-process by each path (CPU and wall "
                             "time per sign-up), in alternating blocks")
    args = parser.parse_args()
    if not Path(WRK).exists():
        raise SystemExit("wrk is not installed (apt-get install wrk).")

    log(f"machine: {machine()}")
    for db in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        bench = Bench(db, args)
        try:
            figures = bench.run()
        except BaseException:
            if bench.figures:
                kept = HERE / f"failed-{db}-{args.path}.json"
                kept.write_text(json.dumps(bench.figures, indent=2) + "\n")
                log(f"{db}: the run failed; what it had measured is in {kept}")
            raise
        finally:
            bench.stop()
        figures["machine"] = machine()
        figures["date"] = time.strftime("%Y-%m-%d")
        (HERE / f"last-{db}-{args.path}.json").write_text(json.dumps(figures, indent=2) + "\n")
        print()
        print(table(figures))
        print(flush=True)
        if db == "sqlite":
            shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
