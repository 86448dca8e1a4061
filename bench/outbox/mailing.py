"""Mass-mailing benchmark: queue N messages through the outbox, then deliver them to a sink.

It creates a fresh database (PostgreSQL by default), queues N ballot-style
messages with ``outbox_enqueue_many`` (timed: part 4 queues 650,000 in under
5 minutes), then starts the job workers (``rankfile worker``) with a local
SMTP sink and times the delivery (650,000 within an hour is 181 a second).
Prints a table and writes the figures to bench/outbox/last-<db>.json.

Run it with bench/outbox/run (see --help). ``python mailing.py queue N`` is
the Django side, run in a subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
from env import django_env  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def queue(count: int) -> dict:
    """The Django side: queue ``count`` messages in one transaction, timed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django

    django.setup()
    from django.db import transaction

    from rankfile.outbox.services import Draft, outbox_enqueue_many

    body = ("Your ballot for the leadership election is open until 21 September.\n\n"
            "Your voting code: {code}\n\nVote at https://members.example.org/vote/\n")
    drafts = (Draft(to=f"voter{i}@bench.invalid", subject="Rank & File: your ballot",
                    body=body.format(code=secrets.token_urlsafe(12)), purpose="ballot",
                    key=f"ballot:leader-2016:{i}",
                    headers={"List-Unsubscribe": f"<https://members.example.org/u/{i}>"})
              for i in range(count))
    started = time.perf_counter()
    with transaction.atomic():
        queued = outbox_enqueue_many(drafts)
    return {"queued": queued, "seconds": round(time.perf_counter() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg-db", default="rankfile_bench_outbox")
    parser.add_argument("--messages", type=int, default=650_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=0, help="OUTBOX_RATE of each worker")
    parser.add_argument("--smtp-port", type=int, default=8113)
    parser.add_argument("--quick", action="store_true", help="20,000 messages")
    args = parser.parse_args()
    if args.quick:
        args.messages = 20_000
    tmp = Path(tempfile.mkdtemp(prefix="outbox-"))
    url = (f"sqlite:///{tmp / 'rankfile.sqlite3'}" if args.db == "sqlite"
           else f"{PG_SERVER}/{args.pg_db}")
    env = django_env({**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                      "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                      "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(args.smtp_port),
                      "OUTBOX_RATE": str(args.rate)})
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {args.pg_db}")
    log(f"{args.db}: migrating a fresh database")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    log(f"queueing {args.messages:,} messages")
    done = subprocess.run([PYTHON, str(HERE / "mailing.py"), "queue", str(args.messages)],
                          env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    queued = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"queued in {queued['seconds']} s; delivering with {args.workers} workers")
    received = tmp / "received.tsv"
    sink = subprocess.Popen([PYTHON, str(ROOT / "bench" / "common" / "smtp_sink.py"),
                             "--port", str(args.smtp_port), "--out", str(received)], cwd=ROOT)
    time.sleep(1)
    started = time.monotonic()
    workers = [subprocess.Popen([PYTHON, "-m", "rankfile.cli", "worker", "--interval", "0.2",
                                 "--no-startup-delay", "-v0"], env=env, cwd=ROOT)
               for _ in range(args.workers)]
    count = 0
    try:
        while count < args.messages:
            time.sleep(1)
            count = sum(1 for _ in received.open()) if received.exists() else 0
    finally:
        seconds = time.monotonic() - started
        for process in [*workers, sink]:
            process.send_signal(signal.SIGTERM)
        for process in [*workers, sink]:
            process.wait(timeout=60)
    figures = {"db": args.db, "messages": args.messages, "workers": args.workers,
               "queue_seconds": queued["seconds"],
               "queue_per_second": round(args.messages / max(queued["seconds"], 0.1)),
               "deliver_seconds": round(seconds, 1),
               "deliver_per_second": round(count / seconds, 1), "received": count,
               "date": time.strftime("%Y-%m-%d")}
    (HERE / f"last-{args.db}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n| db | messages | queued in | queued/s | delivered in | delivered/s "
          f"(with worker start-up) |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
          f"| {args.db} | {args.messages:,} | {queued['seconds']} s "
          f"| {figures['queue_per_second']:,} | {figures['deliver_seconds']} s "
          f"| {figures['deliver_per_second']:,} |")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["queue"]:
        print(json.dumps(queue(int(sys.argv[2]))))
    else:
        sys.exit(main())
