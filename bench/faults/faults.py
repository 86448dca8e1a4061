"""Fault benchmark: joins and their e-mails while app and job workers are killed (kill -9).

On a fresh database (PostgreSQL by default) it serves the site with gunicorn
(two workers) in production mode, runs two job workers (``rankfile worker``)
and a local SMTP sink, and sends joins (``POST /api/join``) from several
clients, each of which retries with the same Idempotency-Key when its
connection drops. Meanwhile it kills an app worker and a job worker with
SIGKILL several times each (gunicorn starts a new app worker; the benchmark
starts a new job worker, as a supervisor would). Then it waits for the jobs
to drain and checks: every acknowledged join stored once, every stored
application's e-mails received at the sink (counted by the Message-IDs the
outbox gave them), and no more duplicates than job-worker kills.

Run it with bench/faults/run (see --help). It prints a table, writes the
figures as JSON to bench/faults/last-<db>.json (or --json), and exits 1 if
any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench" / "common"))
from env import django_env, machine  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "rankfile_bench_faults"
POSTCODES = ["E4 7AA", "E17 4PP", "E11 1HX", "E10 5QL", "E4 9EY", "E17 9HA"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Site:
    """The database, the SMTP sink, gunicorn and the job workers of one run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="faults-"))
        self.run_id = secrets.token_hex(3)
        self.prefix = f"f{self.run_id}-"  # of every key and address of this run
        if args.database_url:
            url = args.database_url
        elif args.db == "sqlite":
            url = f"sqlite:///{self.tmp / 'rankfile.sqlite3'}"
        else:
            url = f"{PG_SERVER}/{args.pg_db}"
        self.url = url
        self.env = django_env({
            **os.environ,
            "DATABASE_URL": url,
            "RANKFILE_MODE": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            "SECURE_SSL_REDIRECT": "false",
            # The load generator is one loopback client: rate limits would refuse it.
            "RATELIMIT_ENABLE": "false",
            "RATELIMIT_EXEMPT_IPS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(args.smtp_port),
            "JOB_LEASE_SECONDS": str(args.lease),
        })
        self.env.pop("PYTEST_CURRENT_TEST", None)
        self.sink_file = self.tmp / "received.tsv"
        self.sink: subprocess.Popen[bytes] | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.kills = Counter[str]()

    # -- set-up ---------------------------------------------------------------------------

    def django(self, *args: str) -> dict:
        done = subprocess.run([PYTHON, str(HERE / "state.py"), *args], env=self.env,
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise RuntimeError(f"state.py {' '.join(args)} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def create_database(self) -> None:
        if not self.args.database_url:
            if self.args.db == "postgres":
                import psycopg

                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {self.args.pg_db} WITH (FORCE)")
                    conn.execute(f"CREATE DATABASE {self.args.pg_db}")
            subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=self.env, check=True,
                           cwd=ROOT)
        self.django("setup")

    def start(self) -> None:
        self.sink = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "common" / "smtp_sink.py"), "--port",
             str(self.args.smtp_port), "--out", str(self.sink_file)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(self.tmp / "sink.log", "ab"))
        self.server = subprocess.Popen(
            [GUNICORN, "rankfile.wsgi", "--workers", "2", "--preload", "--bind",
             f"127.0.0.1:{self.args.port}", "--log-level", "warning", "--timeout", "60",
             "--graceful-timeout", "5"],
            env=self.env, cwd=ROOT, stdout=open(self.tmp / "gunicorn.log", "ab"),
            stderr=subprocess.STDOUT)
        for _ in range(2):
            self.start_worker()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(self.app_workers()) == 2 and self.sink_file.exists():
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=5)
                    conn.request("GET", "/api/stats")
                    if conn.getresponse().status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"The site did not start; see {self.tmp}/gunicorn.log")

    def start_worker(self) -> None:
        out = open(self.tmp / "workers.log", "ab")
        self.workers.append(subprocess.Popen(
            [PYTHON, "-m", "rankfile.cli", "worker", "--interval", "0.2", "--no-startup-delay"],
            env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))

    def app_workers(self) -> list[int]:
        assert self.server is not None
        try:
            children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def work_left(self) -> int:
        """Jobs waiting or running, e-mails due, and this run's messages still queued.

        Read with plain SQL: starting a Django process every second to ask
        would take the CPU the workers need.
        """
        # Jobs, and sign-ups whose e-mail the worker's sweeps have still to queue.
        jobs = ("SELECT (SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status IN ('READY', 'RUNNING')) "
                "+ (SELECT count(*) FROM membership_membership WHERE confirmation_due) "
                "+ (SELECT count(*) FROM membership_repeatapplication WHERE notice_due)")
        mail = ("SELECT count(*) FROM outbox_outboxmessage WHERE status = 'queued' "
                "AND \"to\" LIKE {p}")
        if self.url.startswith("sqlite"):
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"),
                                                    timeout=30)) as conn:
                return (conn.execute(jobs).fetchone()[0]
                        + conn.execute(mail.format(p="?"), [self.prefix + "%"]).fetchone()[0])
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            return (conn.execute(jobs).fetchone()[0]  # type: ignore[index]
                    + conn.execute(mail.format(p="%s"),  # type: ignore[index]
                                   [self.prefix + "%"]).fetchone()[0])

    # -- faults ---------------------------------------------------------------------------

    def kill(self, what: str) -> None:
        if what == "app":
            self.kill_app_worker()
        else:
            self.kill_job_worker()

    def kill_app_worker(self) -> None:
        pids = self.app_workers()
        if pids:
            os.kill(random.choice(pids), signal.SIGKILL)
            self.kills["app"] += 1

    def kill_job_worker(self) -> None:
        alive = [w for w in self.workers if w.poll() is None]
        if alive:
            victim = random.choice(alive)
            victim.kill()
            victim.wait()
            self.workers.remove(victim)
            self.kills["job"] += 1
            self.start_worker()

    def stop(self) -> None:
        for process in [*self.workers, self.server, self.sink]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, self.server, self.sink]:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class Clients:
    """``clients`` threads sending ``joins`` joins, retrying a dropped one with its key."""

    def __init__(self, site: Site, joins: int, clients: int) -> None:
        self.site, self.joins, self.clients = site, joins, clients
        self.acks: list[tuple[str, str]] = []
        self.retries = 0
        self.server_errors = 0
        self.refused: list[str] = []
        self.lock = threading.Lock()

    def body(self, n: int) -> bytes:
        return json.dumps({
            "category": "registered_supporter", "first_name": f"Fault{n}",
            "last_name": "Joiner", "email": f"{self.site.prefix}{n}@bench.invalid",
            "postcode": POSTCODES[n % len(POSTCODES)],
            "date_of_birth": f"19{40 + n % 60:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "consent": True,
            # No postcode list is loaded: staff would place these joiners by hand.
            "postcode_missing": True,
        }).encode()

    def join(self, n: int) -> None:
        key, body = f"{self.site.prefix}{n}", self.body(n)
        for _attempt in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.site.args.port, timeout=60)
                conn.request("POST", "/api/join", body=body, headers={
                    "Content-Type": "application/json", "Idempotency-Key": key})
                response = conn.getresponse()
                answer = response.read()
                conn.close()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.retries += 1
                time.sleep(0.05)
                continue
            if response.status >= 500:
                with self.lock:
                    self.server_errors += 1
                time.sleep(0.05)
                continue
            with self.lock:
                if response.status == 201:
                    self.acks.append((key, json.loads(answer)["reference"]))
                else:
                    self.refused.append(f"{response.status} {answer[:200]!r}")
            return
        with self.lock:
            self.refused.append(f"gave up on {key}")

    def run(self) -> None:
        numbers = iter(range(self.joins))
        lock = threading.Lock()

        def client() -> None:
            while True:
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                self.join(n)

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def run(args: argparse.Namespace) -> dict:
    site = Site(args)
    figures: dict = {"db": "sqlite" if site.url.startswith("sqlite") else "postgres",
                     "joins": args.joins, "clients": args.clients, "lease_s": args.lease}
    try:
        log(f"{figures['db']}: preparing the database and starting the site in {site.tmp}")
        site.create_database()
        log("starting gunicorn, two workers and the SMTP sink")
        site.start()
        log(f"sending {args.joins} joins from {args.clients} clients")
        clients = Clients(site, args.joins, args.clients)
        load = threading.Thread(target=clients.run)
        started = time.monotonic()
        load.start()
        # Kills spread over the load: app workers at 1/(n+1), 2/(n+1)... of the joins
        # answered, job workers half a step later; job-worker kills not done when the
        # load ends happen while the jobs drain.
        plan = sorted([((i + 1) / (args.app_kills + 1), "app") for i in range(args.app_kills)]
                      + [((i + 0.5) / (args.job_kills + 0.5), "job")
                         for i in range(args.job_kills)])
        while load.is_alive():
            done = len(clients.acks) / args.joins
            while plan and plan[0][0] <= done:
                _, what = plan.pop(0)
                site.kill(what)
                log(f"killed a {what} worker at {done:.0%} of the joins")
            time.sleep(0.05)
        figures["load_s"] = round(time.monotonic() - started, 1)
        log(f"{len(clients.acks)} joins acknowledged in {figures['load_s']} s; draining the jobs")
        deadline = time.monotonic() + args.drain_timeout
        drained = False
        while time.monotonic() < deadline:
            left = site.work_left()
            if plan and left:
                _, what = plan.pop(0)
                site.kill(what)
                log(f"killed a {what} worker while {left} jobs and messages were left")
            elif not left:
                drained = True
                break
            time.sleep(0.5)
        figures["drain_s"] = round(time.monotonic() - started - figures["load_s"], 1)
        figures["drained"] = drained
        log("drained; checking" if drained else "NOT drained; checking")
        check = site.django("check", site.prefix, str(write_acks(site, clients)))
    finally:
        site.stop()
    received = Counter(line.split("\t")[0] for line in
                       site.sink_file.read_text().splitlines() if line.strip())
    expected = check.pop("message_ids")
    known = set(expected)
    counts = Counter(min(received.get(m, 0), 2) for m in expected)
    figures.update({
        "acknowledged": check["acknowledged"],
        "stored": check["stored"],
        "lost": check["lost"],
        "doubled": (check["keys_stored_twice"] + check["addresses_stored_twice"]
                    + check["answered_two_references"]),
        "stored_unacknowledged": check["stored_unacknowledged"],
        "refused": len(clients.refused),
        "refused_samples": clients.refused[:5],
        "retries": clients.retries,
        "server_errors": clients.server_errors,
        "app_kills": site.kills["app"],
        "job_kills": site.kills["job"],
        "emails_expected": len(expected),
        "emails_once": counts[1],
        "emails_never": counts[0] + check["applications_without_mail"],
        "emails_twice": counts[2],
        "emails_unexpected": sum(n for m, n in received.items() if m not in known),
        "applications_without_mail": check["applications_without_mail"],
        "outbox_failed": check["outbox_failed"],
        "jobs_failed": check["jobs_failed"],
    })
    figures["ok"] = (figures["lost"] == 0 and figures["doubled"] == 0 and drained
                     and figures["emails_never"] == 0 and figures["refused"] == 0
                     and figures["acknowledged"] == args.joins
                     and figures["emails_twice"] <= figures["job_kills"])
    if figures["ok"] and not args.keep:
        shutil.rmtree(site.tmp, ignore_errors=True)
    else:
        figures["folder"] = str(site.tmp)
    return figures


def write_acks(site: Site, clients: Clients) -> Path:
    path = site.tmp / "acks.tsv"
    path.write_text("".join(f"{key}\t{ref}\n" for key, ref in clients.acks))
    return path


def table(f: dict) -> str:
    head = ("| db | joins | acknowledged | stored | lost | doubled | app kills | job kills "
            "| e-mails | once | never | twice |")
    row = (f"| {f['db']} | {f['joins']:,} | {f['acknowledged']:,} | {f['stored']:,} "
           f"| {f['lost']} | {f['doubled']} | {f['app_kills']} | {f['job_kills']} "
           f"| {f['emails_expected']:,} | {f['emails_once']:,} | {f['emails_never']} "
           f"| {f['emails_twice']} |")
    notes = (f"load {f['load_s']} s, drain {f['drain_s']} s; {f['retries']} retried "
             f"connections, {f['server_errors']} 5xx answers, {f['refused']} refusals, "
             f"{f['emails_unexpected']} unexpected e-mails at the sink, "
             f"{f['outbox_failed']} failed messages, {f['jobs_failed']} failed jobs; "
             f"{'PASS' if f['ok'] else 'FAIL'}")
    return "\n".join([head, "| --- " * 12 + "|", row, "", notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--database-url",
                        help="use this migrated database as it is (no create, no migrate)")
    parser.add_argument("--pg-db", default=PG_DB, help="the PostgreSQL database to create")
    parser.add_argument("--joins", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--app-kills", type=int, default=5)
    parser.add_argument("--job-kills", type=int, default=5)
    parser.add_argument("--lease", type=int, default=3, help="JOB_LEASE_SECONDS of the workers")
    parser.add_argument("--drain-timeout", type=float, default=900)
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--smtp-port", type=int, default=8112)
    parser.add_argument("--quick", action="store_true",
                        help="400 joins, 2 kills of each (unless given)")
    parser.add_argument("--json", help="write the figures here (default: last-<db>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder")
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        args.joins = args.joins if "--joins" in given else 400
        args.app_kills = args.app_kills if "--app-kills" in given else 2
        args.job_kills = args.job_kills if "--job-kills" in given else 2
    log(f"machine: {machine()}")
    figures = run(args)
    figures["machine"] = machine()
    figures["date"] = time.strftime("%Y-%m-%d")
    out = Path(args.json) if args.json else HERE / f"last-{figures['db']}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print()
    print(table(figures))
    print(flush=True)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
