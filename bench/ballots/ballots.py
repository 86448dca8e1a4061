"""Ballot benchmark: an election over the seeded population, cast through HTTP.

On a fresh PostgreSQL database it seeds the population of ``bench/common``
(``--voters`` people, all established members or affiliated supporters, in
good standing or not), sets up an election over the whole organisation and
times, through the elections services: drawing the roll and freezing it;
issuing the codes (made, HMACs stored, mail queued in the outbox, as the job
does). Then it serves the site with gunicorn in production mode and, with wrk
at 32 connections, measures a bare one-row insert (``/api/bench/insert``, the
baseline) and casts ``--casts`` ballots with ``POST
/api/elections/<slug>/ballots``, one distinct code per request (``cast.lua``
reads the codes from files this script writes, and records each tracker
acknowledged). The rest of the roll's ballots are then put in the box
directly (``--fill``), so that the count reads one ballot a voter. It times
closing (the box written again), counting and publishing, and checks that
every acknowledged tracker is on the bulletin exactly once. Last it delivers
every queued code to a local SMTP sink with two job workers, killing one with
SIGKILL on the way (a new one is started, as a supervisor would), and checks
every code's message was received (by its Message-ID); delivery stops after
``--delivery-minutes`` and the rate is then reported for what was delivered.

Prints the figures and writes them to bench/ballots/last.json (or --json).
``python ballots.py inner <phase>`` is the Django side, run in subprocesses.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
from env import django_env, machine  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CODE = re.compile(r"\b[A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}\b")
SLUG = "leader"
WRK_THREADS = 2
STALL = 10  # seconds without an answer before the casting is called stalled


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def result_line(output: str) -> dict:
    found = re.search(r"^RESULT (\{.*\})$", output, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return json.loads(found.group(1))


# -- the Django side (in subprocesses) ----------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django

    django.setup()


def _officer_and_election() -> tuple:
    from rankfile.accounts.models import User
    from rankfile.elections.models import Election

    return User.objects.get(email="ro@bench.invalid"), Election.objects.get(slug=SLUG)


def setup(voters: int, casts: int, codes_dir: str) -> dict:
    """Seed, set up the election, draw and freeze the roll, issue the codes (timed);
    write ``casts`` of the codes, split among wrk's threads, to ``codes_dir``."""
    _django()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone
    from population import generate

    from rankfile.accounts.models import Role, User
    from rankfile.branches.models import Body
    from rankfile.elections.services.credentials import credentials_send
    from rankfile.elections.services.roll import roll_evaluate, roll_freeze, roll_rules_set
    from rankfile.elections.services.setup import candidate_add, election_create, election_open
    from rankfile.outbox.models import OutboxMessage

    figures: dict = {}
    started = time.perf_counter()
    log(f"seeding {voters:,} people")
    generate(connection, people=voters, pending=0, variants_each=0, excluded=0,
             exclusion_size=0, now=timezone.now(), log=log)
    figures["seed_s"] = round(time.perf_counter() - started, 1)
    org = Body.objects.get(code="ORG")
    officer = User.objects.create_user("ro@bench.invalid", "x")
    Role.objects.create(user=officer, kind=Role.Kind.RETURNING_OFFICER, body=org,
                        starts_on=dt.date(2000, 1, 1))
    election = election_create(by=officer, body=org, slug=SLUG, title="Leader",
                               sections=["member", "affiliated_supporter"])
    for name in ("Ann", "Bea", "Cal", "Dee"):
        candidate_add(by=officer, election=election, name=name)
    roll_rules_set(by=officer, election=election, rules={
        "categories": ["member", "affiliated_supporter"], "min_age": 16})

    started = time.perf_counter()
    rules = roll_evaluate(by=officer, election=election)
    figures["roll_draw_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    roll_freeze(by=officer, election=election)
    figures["roll_freeze_s"] = round(time.perf_counter() - started, 1)
    figures["on_roll"] = rules.entries.filter(eligible=True).count()
    log(f"roll drawn in {figures['roll_draw_s']} s, frozen in {figures['roll_freeze_s']} s: "
        f"{figures['on_roll']:,} of {voters:,} people on it")
    election_open(by=officer, election=election)

    started = time.perf_counter()
    figures["codes_issued"] = credentials_send(election_id=election.pk)
    figures["credentials_issue_s"] = round(time.perf_counter() - started, 1)
    log(f"{figures['codes_issued']:,} codes made, HMACs stored, mail queued in "
        f"{figures['credentials_issue_s']} s")
    with connection.cursor() as cursor:  # as autovacuum would, soon after
        for table in ("elections_rollentry", "elections_credential"):
            cursor.execute(f"ANALYZE {table}")

    out = [open(Path(codes_dir) / f"codes-{n}.txt", "w")  # noqa: SIM115
           for n in range(1, WRK_THREADS + 1)]
    written = 0
    for body in (OutboxMessage.objects.filter(purpose="election_credential")
                 .values_list("body", flat=True).iterator(chunk_size=5000)):
        if written >= casts:
            break
        found = CODE.search(body)
        if found:
            out[written % WRK_THREADS].write(found.group(0) + "\n")
            written += 1
    for f in out:
        f.close()
    figures["codes_for_wrk"] = written
    figures["candidates"] = list(election.candidates.values_list("pk", flat=True))
    return figures


def fill() -> dict:
    """Put a ballot in the box for every voter on the roll who has not voted (the same
    shape as a cast: rankings of one to four preferences, the day's date), so that
    the count reads one ballot a voter. Trackers start with ``FILL``."""
    _django()
    from django.db import connection

    _, election = _officer_and_election()
    ids = list(election.candidates.values_list("pk", flat=True))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("""
            WITH marked AS (
                UPDATE elections_rollentry SET voted_on = CURRENT_DATE
                WHERE election_id = %s AND eligible AND voted_on IS NULL
                RETURNING id, section
            )
            INSERT INTO elections_ballot (id, election_id, section, ranking, tracker, cast_on)
            SELECT gen_random_uuid(), %s, section,
                   (SELECT jsonb_agg(c ORDER BY ord) FROM unnest(%s::int[]) WITH ORDINALITY
                        AS t(c, ord) WHERE ord <= 1 + id %% 4),
                   'FILL-' || lpad(id::text, 12, '0'), CURRENT_DATE
            FROM marked
        """, [election.pk, election.pk, ids])
        filled = cursor.rowcount
    return {"filled": filled, "fill_s": round(time.perf_counter() - started, 1)}


def finish(trackers_dir: str) -> dict:
    """Close, count and publish (timed); check the acknowledged trackers."""
    _django()
    from rankfile.elections.models import Ballot, Election
    from rankfile.elections.services.count import election_count, election_publish
    from rankfile.elections.services.setup import election_close

    officer, election = _officer_and_election()
    figures: dict = {}
    started = time.perf_counter()
    election_close(by=officer, election=election)
    figures["close_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    election = election_publish(by=officer, election=election_count(by=officer,
                                                                      election=election))
    figures["count_and_publish_s"] = round(time.perf_counter() - started, 1)
    log(f"closed in {figures['close_s']} s; counted and published in "
        f"{figures['count_and_publish_s']} s")
    acknowledged = [line.strip() for p in sorted(Path(trackers_dir).glob("trackers-*.txt"))
                    for line in p.read_text().splitlines() if line.strip()]
    on_bulletin = Counter(line.split(",")[0]
                          for line in election.bulletin_csv.splitlines()[1:])
    cast = {t for t in on_bulletin if not t.startswith("FILL")}
    figures["ballots_counted"] = sum(on_bulletin.values())
    figures["trackers_acknowledged"] = len(acknowledged)
    figures["acknowledged_not_once"] = sum(1 for t in acknowledged if on_bulletin[t] != 1)
    figures["acknowledged_twice"] = len(acknowledged) - len(set(acknowledged))
    figures["stored_unacknowledged"] = len(cast - set(acknowledged))
    figures["every_tracker_once"] = (figures["acknowledged_not_once"] == 0
                                     and figures["acknowledged_twice"] == 0)
    figures["ballots"] = Ballot.objects.count()
    figures["status"] = Election.objects.get(pk=election.pk).status
    return figures


def mail_check(received_file: str) -> dict:
    """Each code's message at the sink, by its Message-ID."""
    _django()
    from rankfile.outbox.models import OutboxMessage

    received = Counter(line.split("\t")[0] for line in
                       Path(received_file).read_text().splitlines() if line)
    expected = list(OutboxMessage.objects.filter(purpose="election_credential")
                    .values_list("message_id", flat=True))
    status = Counter(OutboxMessage.objects.filter(purpose="election_credential")
                     .values_list("status", flat=True))
    known = set(expected)
    return {"messages": len(expected),
            "received_once": sum(1 for m in expected if received.get(m) == 1),
            "received_twice": sum(1 for m in expected if received.get(m, 0) > 1),
            "never_received": sum(1 for m in expected if m not in received),
            "unexpected": sum(n for m, n in received.items() if m not in known),
            "status": dict(status)}


# -- the driver -----------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="ballots-"))
        self.url = f"{PG_SERVER}/{args.pg_db}"
        self.env = django_env({
            **os.environ,
            "DATABASE_URL": self.url,
            "RANKFILE_MODE": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ELECTIONS_CREDENTIAL_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            "SECURE_SSL_REDIRECT": "false",
            # The documented exemption: the load generator is one loopback client.
            "RATELIMIT_EXEMPT_IPS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(args.smtp_port),
            "JOB_LEASE_SECONDS": "10",
        })
        self.env.pop("PYTEST_CURRENT_TEST", None)
        self.server: subprocess.Popen | None = None
        self.figures: dict = {}

    def inner(self, *args: str) -> dict:
        done = subprocess.run([PYTHON, __file__, "inner", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True)
        sys.stdout.write("".join(line + "\n" for line in done.stdout.splitlines()
                                 if not line.startswith("FIGURES ")))
        if done.returncode:
            raise RuntimeError(f"inner {' '.join(args)} failed:\n{done.stderr}")
        return json.loads(next(line for line in done.stdout.splitlines()
                               if line.startswith("FIGURES "))[8:])

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.args.pg_db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.args.pg_db}")
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=self.env, check=True,
                       cwd=ROOT)

    def start(self) -> None:
        self.server = subprocess.Popen(
            [GUNICORN, "rankfile.wsgi", "--workers", str(self.args.workers),
             "--bind", f"127.0.0.1:{self.args.port}", "--backlog", "2048",
             "--log-level", "warning", "--timeout", "120"],
            env=self.env, cwd=ROOT, stdout=open(self.tmp / "gunicorn.log", "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.args.port}/api/bench/trivial",
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

    def wrk_insert(self) -> dict:
        out = subprocess.run(
            [WRK, f"-t{WRK_THREADS}", f"-c{self.args.connections}",
             f"-d{self.args.seconds}s", "--timeout", "30s",
             "-s", str(ROOT / "bench" / "signup_surge" / "simple.lua"),
             f"http://127.0.0.1:{self.args.port}/api/bench/insert", "--", "POST"],
            check=True, capture_output=True, text=True).stdout
        return result_line(out)

    def wrk_cast(self, candidates: list[int]) -> dict:
        out_dir = self.tmp / "cast"
        out_dir.mkdir()
        started = time.perf_counter()
        wrk = subprocess.Popen(
            [WRK, f"-t{WRK_THREADS}", f"-c{self.args.connections}", "-d3600s",
             "--timeout", "30s", "-s", str(HERE / "cast.lua"),
             f"http://127.0.0.1:{self.args.port}/", "--", str(self.tmp / "codes"),
             str(out_dir), SLUG, ",".join(map(str, candidates))],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        size, last_change = 0, time.perf_counter()
        while len(list(out_dir.glob("done-*"))) < WRK_THREADS and wrk.poll() is None:
            now_size = sum(p.stat().st_size for p in out_dir.glob("trackers-*.txt"))
            if now_size != size:
                size, last_change = now_size, time.perf_counter()
            elif time.perf_counter() - last_change > STALL:
                break
            time.sleep(0.05)
        finished = time.perf_counter()
        stalled = len(list(out_dir.glob("done-*"))) < WRK_THREADS
        elapsed = (last_change if stalled else finished) - started
        wrk.send_signal(signal.SIGINT)
        output, _ = wrk.communicate(timeout=60)
        result = result_line(output)
        result["seconds"] = round(elapsed, 1)
        result["stalled"] = stalled
        result["per_second"] = round(result["ok"] / elapsed, 1)
        failures = "".join(p.read_text() for p in out_dir.glob("failures-*.txt"))
        result["failure_samples"] = failures.splitlines()[:5]
        return result

    def queued(self) -> int:
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute("SELECT count(*) FROM outbox_outboxmessage WHERE status = "
                               "'queued' AND purpose = 'election_credential'").fetchone()
        return int(row[0]) if row else 0

    def deliver(self, total: int) -> dict:
        """Two job workers deliver the codes to the sink; one is killed on the way."""
        received = self.tmp / "received.tsv"
        log_file = open(self.tmp / "workers.log", "ab")  # noqa: SIM115
        sink = subprocess.Popen([PYTHON, str(ROOT / "bench" / "common" / "smtp_sink.py"),
                                 "--port", str(self.args.smtp_port), "--out", str(received)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file)

        def worker() -> subprocess.Popen:
            return subprocess.Popen([PYTHON, "-m", "rankfile.cli", "worker", "--interval",
                                     "0.2", "--no-startup-delay"], env=self.env, cwd=ROOT,
                                    stdout=log_file, stderr=subprocess.STDOUT)

        time.sleep(1)
        started = time.monotonic()
        workers = [worker(), worker()]
        killed_at = None
        left = total
        budget = self.args.delivery_minutes * 60
        try:
            while left and time.monotonic() - started < budget:
                time.sleep(2)
                left = self.queued()
                if killed_at is None and left <= total * 2 // 3:
                    workers[0].kill()
                    workers[0].wait()
                    killed_at = total - left
                    log(f"killed a job worker (SIGKILL) after {killed_at:,} messages sent; "
                        "starting another")
                    workers[0] = worker()
        finally:
            seconds = time.monotonic() - started
            for process in [*workers, sink]:
                process.send_signal(signal.SIGTERM)
            for process in [*workers, sink]:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        check = self.inner("mailcheck", str(received))
        sent = total - left
        return {"seconds": round(seconds, 1), "sent": sent, "left": left,
                "per_second": round(sent / seconds, 1), "killed_after": killed_at,
                "finished": left == 0, **check}

    def run(self) -> dict:
        args = self.args
        f = self.figures = {"voters": args.voters, "workers": args.workers,
                            "connections": args.connections}
        log(f"creating and migrating a fresh database in {args.pg_db}")
        self.create_database()
        (self.tmp / "codes").mkdir()
        f.update(self.inner("setup", str(args.voters), str(args.casts),
                            str(self.tmp / "codes")))
        try:
            self.start()
            log(f"bare one-row insert, {args.seconds} s")
            f["insert"] = self.wrk_insert()
            log(f"casting {f['codes_for_wrk']:,} ballots through HTTP")
            f["cast"] = self.wrk_cast(f["candidates"])
            log(f"{f['cast']['ok']:,} ballots acknowledged in {f['cast']['seconds']} s: "
                f"{f['cast']['per_second']}/s, p99 {f['cast']['p99_ms']} ms")
        finally:
            self.stop()
        if args.fill:
            f.update(self.inner("fill"))
            log(f"{f['filled']:,} more ballots put in the box in {f['fill_s']} s")
        f.update(self.inner("finish", str(self.tmp / "cast")))
        if args.deliver:
            log(f"delivering {f['codes_issued']:,} codes to the SMTP sink")
            f["delivery"] = self.deliver(f["codes_issued"])
        return f


def table(f: dict) -> str:
    c, i = f["cast"], f["insert"]
    ratio = c["per_second"] / i["per_second"] if i["per_second"] else 0
    rows = [
        f"| people seeded | {f['voters']:,} ({f['on_roll']:,} on the roll) |",
        f"| roll drawn / frozen | {f['roll_draw_s']} s / {f['roll_freeze_s']} s |",
        f"| codes issued (made, HMACs stored, mail queued) | {f['codes_issued']:,} in "
        f"{f['credentials_issue_s']} s |",
        f"| bare one-row insert, HTTP | {i['per_second']:,.0f}/s (p50 {i['p50_ms']}, "
        f"p99 {i['p99_ms']} ms) |",
        f"| **casting, HTTP** | **{c['per_second']:,.0f}/s** (p50 {c['p50_ms']}, p99 "
        f"**{c['p99_ms']}** ms, max {c['max_ms']} ms), {c['ok']:,} acknowledged in "
        f"{c['seconds']} s |",
        f"| casting / bare insert | {ratio:.2f} |",
        f"| refused / socket errors / timeouts | {c['answered'] - c['ok']} / "
        f"{c['connect_errors'] + c['read_errors'] + c['write_errors']} / {c['timeouts']} |",
    ]
    if "filled" in f:
        rows.append(f"| ballots put in the box directly | {f['filled']:,} in {f['fill_s']} s |")
    rows += [
        f"| close (box written again) | {f['close_s']} s |",
        f"| count and publish ({f['ballots_counted']:,} ballots) | "
        f"{f['count_and_publish_s']} s |",
        f"| acknowledged trackers on the bulletin exactly once | "
        f"{'yes' if f['every_tracker_once'] else 'NO'} ({f['trackers_acknowledged']:,}; "
        f"not once {f['acknowledged_not_once']}, stored unacknowledged "
        f"{f['stored_unacknowledged']}) |",
    ]
    if "delivery" in f:
        d = f["delivery"]
        rows.append(
            f"| delivery to the SMTP sink, 2 workers, 1 killed | {d['sent']:,} of "
            f"{d['messages']:,} in {d['seconds']} s ({d['per_second']}/s); received once "
            f"{d['received_once']:,}, twice {d['received_twice']}, never "
            f"{d['never_received']:,}, unexpected {d['unexpected']}"
            f"{'' if d['finished'] else ' (stopped at the time limit)'} |")
    return "| | |\n| --- | --- |\n" + "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-db", default="rankfile_bench_ballots")
    parser.add_argument("--voters", type=int, default=650_000, help="people seeded")
    parser.add_argument("--casts", type=int, default=100_000,
                        help="ballots cast through HTTP (at most the codes issued)")
    parser.add_argument("--no-fill", dest="fill", action="store_false",
                        help="count only the ballots cast through HTTP")
    parser.add_argument("--no-deliver", dest="deliver", action="store_false",
                        help="skip delivering the codes")
    parser.add_argument("--delivery-minutes", type=float, default=25)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10, help="length of the baseline")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--smtp-port", type=int, default=8772)
    parser.add_argument("--json", help="where to write the figures (default last.json)")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 people, every code cast, a 5 s baseline")
    args = parser.parse_args()
    if args.quick:
        args.voters, args.casts, args.seconds = 2_000, 2_000, 5
    if not Path(WRK).exists():
        raise SystemExit("wrk is not installed (apt-get install wrk).")
    log(f"machine: {machine()}")
    bench = Bench(args)
    try:
        figures = bench.run()
    except BaseException:
        if bench.figures:
            kept = HERE / "failed.json"
            kept.write_text(json.dumps(bench.figures, indent=2) + "\n")
            log(f"the run failed; what it had measured is in {kept}")
        raise
    finally:
        bench.stop()
    figures["machine"] = machine()
    figures["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    Path(args.json or HERE / "last.json").write_text(json.dumps(figures, indent=2) + "\n")
    print()
    print(table(figures))
    shutil.rmtree(bench.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["inner"]:
        phase, rest = sys.argv[2], sys.argv[3:]
        result = {"setup": lambda: setup(int(rest[0]), int(rest[1]), rest[2]),
                  "fill": fill, "finish": lambda: finish(rest[0]),
                  "mailcheck": lambda: mail_check(rest[0])}[phase]()
        print("FIGURES " + json.dumps(result), flush=True)
        sys.exit(0)
    sys.exit(main())
