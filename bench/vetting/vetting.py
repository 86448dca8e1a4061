"""Vetting benchmark: the queue, duplicate detection and the exclusion list on a surge.

It creates a fresh PostgreSQL database, migrates it, and fills it with the
seeded population of ``bench/common/population.py`` (650,000 people, 183,000
pending applications, planted duplicates). Then it measures:

- the vetting queue's first page as national staff: 200 requests through
  Django's test client (the whole stack but the socket: URL, session, view,
  queries, template), a mix of no filter, a category, and an age filter; p50,
  p99 and the slowest (target p99 < 100 ms);
- duplicate detection over the whole set: reading every membership and
  running ``vetting.matching.find_duplicates`` over all of them (< 60 s);
- exclusion-list matching: 183,000 applications against 10,000 names (< 60 s);
- ``vetting_check``, the service staff run (both checks for the pending
  applications, writing flags and pairs);
- matching quality against what was planted: recall of each kind of variant
  (>= 95%) and false flags per 1,000 people (<= 1).

Prints a table and writes the figures to bench/vetting/last-postgres.json.
Run it with bench/vetting/run (see --help); ``python vetting.py measure ...``
is the Django side, run in a subprocess.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
from env import django_env, machine  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(args: argparse.Namespace) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from population import VARIANTS, generate

    from rankfile.accounts.models import Role, User
    from rankfile.branches.models import Body
    from rankfile.core.actors import System
    from rankfile.membership.models import Membership
    from rankfile.vetting import matching, services

    now = timezone.now()
    figures: dict = {}
    started = time.perf_counter()
    if not args.queue_only:
        planted = generate(connection, people=args.people, pending=args.pending,
                           variants_each=args.variants, excluded=args.excluded,
                           exclusion_size=args.exclusion, now=now, log=log)
        figures["generate_seconds"] = round(time.perf_counter() - started, 1)
        log(f"generated in {figures['generate_seconds']} s")
    staff, _ = User.objects.get_or_create(email="bench.staff@bench.invalid")
    Role.objects.get_or_create(user=staff, kind=Role.Kind.STAFF, body=Body.objects.get(code="ORG"),
                               defaults={"starts_on": timezone.localdate()
                                         - timezone.timedelta(days=1)})
    # An officer reaches staff pages only with two-factor set up and used in the
    # session (accounts/two_factor.py): as if the code had been typed at login.
    from allauth.mfa.models import Authenticator

    from rankfile.accounts.two_factor import SESSION_KEY
    from rankfile.demo.personas import give_two_factor

    if not Authenticator.objects.filter(user=staff).exists():
        give_two_factor(staff)
    client = Client()
    client.force_login(staff)
    # As the production server does after loading the site (rankfile/wsgi.py): what
    # is in memory now is never collected again, so a full collection scans only
    # what requests make, not the whole site (and, here, the generated population).
    gc.collect()
    gc.freeze()
    session = client.session
    session[SESSION_KEY] = time.time()
    session.save()
    urls = (["/staff/vetting/"] * 100 + ["/staff/vetting/?category=registered_supporter"] * 50
            + ["/staff/vetting/?older_than_days=1"] * 50)
    for url in urls[:5]:
        assert client.get(url).status_code == 200
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    for url in urls:
        t, c = time.perf_counter(), time.process_time()
        answer = client.get(url)
        timings.setdefault(url, []).append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert answer.status_code == 200, answer.status_code
    every = [ms for values in timings.values() for ms in values]
    figures["queue_p50_ms"] = round(statistics.median(every), 1)
    figures["queue_p99_ms"] = round(_pct(every, 0.99), 1)
    figures["queue_max_ms"] = round(max(every), 1)
    figures["queue_p99_by_url"] = {u: round(_pct(v, 0.99), 1) for u, v in timings.items()}
    # The site's own CPU time per request (not the database's): on a shared machine
    # the wall time mostly measures waiting for a core.
    figures["queue_cpu_p50_ms"] = round(statistics.median(cpu), 1)
    figures["queue_cpu_p99_ms"] = round(_pct(cpu, 0.99), 1)
    log(f"queue: p50 {figures['queue_p50_ms']} ms, p99 {figures['queue_p99_ms']} ms "
        f"(CPU p99 {figures['queue_cpu_p99_ms']} ms, load {os.getloadavg()[0]:.1f})")

    # Member search (/officers/members/), the same staff: 200 searches, a mix of name
    # prefixes (one word, and surname + first name), postcodes, outward codes, e-mail
    # starts and references, drawn with a fixed seed from the population.
    import random

    rng = random.Random(2016)
    sample = list(Membership.objects.order_by("pk")
                  .values_list("reference", "first_name", "last_name", "postcode",
                               "user__email")[::3251][:200])
    rng.shuffle(sample)
    queries = []
    for i, (reference, first, last, postcode, email) in enumerate(sample[:200]):
        queries.append([reference, last[:3], f"{last} {first[:2]}", postcode,
                        postcode.split(" ")[0], (email or reference).split("@")[0]][i % 6])
    searches: list[float] = []
    for q in queries[:5]:
        assert client.get("/officers/members/", {"q": q}).status_code == 200
    for q in queries:
        t = time.perf_counter()
        answer = client.get("/officers/members/", {"q": q})
        searches.append((time.perf_counter() - t) * 1000)
        assert answer.status_code == 200, answer.status_code
    figures["search_p50_ms"] = round(statistics.median(searches), 1)
    figures["search_p99_ms"] = round(_pct(searches, 0.99), 1)
    log(f"member search: {len(searches)} searches, p50 {figures['search_p50_ms']} ms, "
        f"p99 {figures['search_p99_ms']} ms")
    if args.queue_only:
        return figures

    t, c = time.perf_counter(), time.process_time()
    people = list(services.people_for_matching(Membership.objects.all()))
    read = time.perf_counter() - t
    pairs = matching.find_duplicates(people)
    figures["duplicates_seconds"] = round(time.perf_counter() - t, 1)
    figures["duplicates_cpu_seconds"] = round(time.process_time() - c, 1)
    figures["duplicates_read_seconds"] = round(read, 1)
    found = {(m.first, m.second): m.rules for m in pairs}
    truth = {tuple(sorted((v, o))): kind for v, (o, kind) in planted.variants.items()}
    recall = {}
    for kind in VARIANTS:
        wanted = [p for p, k in truth.items() if k == kind]
        recall[kind] = round(100 * sum(p in found for p in wanted) / len(wanted), 2)
    figures["duplicate_recall_percent"] = recall
    figures["duplicate_recall_all_percent"] = round(
        100 * sum(p in found for p in truth) / len(truth), 2)
    false = [p for p in found if p not in truth]
    figures["duplicate_false_pairs"] = len(false)
    figures["duplicate_false_per_1000"] = round(1000 * len(false) / len(people), 3)
    by_rule: dict[str, int] = {}
    for p in false:
        for r in found[p]:
            by_rule[r] = by_rule.get(r, 0) + 1
    figures["duplicate_false_by_rule"] = by_rule
    log(f"duplicates: {len(pairs):,} pairs in {figures['duplicates_seconds']} s; recall "
        f"{figures['duplicate_recall_all_percent']}%, false {figures['duplicate_false_per_1000']}"
        " per 1,000")

    csv = "name,postcode\n" + "\n".join(f'"{n}",{pc}' for n, pc in planted.exclusion_entries)
    t = time.perf_counter()
    services.exclusion_import(by=System("bench"), data=csv.encode())
    figures["exclusion_import_seconds"] = round(time.perf_counter() - t, 1)
    from rankfile.vetting.models import ExclusionEntry

    t, c = time.perf_counter(), time.process_time()
    index = matching.ExclusionIndex(matching.Listed(pk, n, pc, a) for pk, n, pc, a in
                                    ExclusionEntry.objects.values_list("pk", "name", "postcode",
                                                                       "address"))
    entry_pk = dict(enumerate(ExclusionEntry.objects.order_by("pk").values_list("pk", flat=True)))
    hits: dict[int, set[int]] = {}
    pending = (Membership.objects.filter(vetting="pending")
               .values_list("id", "first_name", "last_name", "postcode", "address"))
    checked = 0
    for mid, first, last, pc, address in pending.iterator(chunk_size=10_000):
        checked += 1
        for m in index.match(mid, first, last, pc, address):
            hits.setdefault(mid, set()).add(m.entry)
    figures["exclusion_seconds"] = round(time.perf_counter() - t, 1)
    figures["exclusion_cpu_seconds"] = round(time.process_time() - c, 1)
    figures["exclusion_checked"] = checked
    figures["exclusion_entries"] = len(planted.exclusion_entries)
    got = sum(entry_pk[n] in hits.get(pid, set()) for pid, n in planted.exclusion.items())
    figures["exclusion_recall_percent"] = round(100 * got / len(planted.exclusion), 2)
    false_hits = sum(1 for pid in hits if pid not in planted.exclusion)
    figures["exclusion_false_flags"] = false_hits
    figures["exclusion_false_per_1000"] = round(1000 * false_hits / checked, 3)
    log(f"exclusion: {checked:,} against {len(planted.exclusion_entries):,} in "
        f"{figures['exclusion_seconds']} s; recall {figures['exclusion_recall_percent']}%")

    t = time.perf_counter()
    report = services.vetting_check(by=System("bench"))
    figures["check_seconds"] = round(time.perf_counter() - t, 1)
    figures["check_pairs"] = report.duplicate_pairs
    figures["check_exclusion_flags"] = report.exclusion_flags
    log(f"vetting_check: {figures['check_seconds']} s, {report.duplicate_pairs:,} pairs, "
        f"{report.exclusion_flags:,} exclusion flags")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-db", default="rankfile_bench_vetting")
    parser.add_argument("--people", type=int, default=650_000)
    parser.add_argument("--pending", type=int, default=183_000)
    parser.add_argument("--variants", type=int, default=1000, help="planted of each kind")
    parser.add_argument("--excluded", type=int, default=500,
                        help="listed people planted among the applications")
    parser.add_argument("--exclusion", type=int, default=10_000, help="exclusion list size")
    parser.add_argument("--quick", action="store_true",
                        help="65,000 people, 18,300 pending, 1,000 listed names")
    parser.add_argument("--queue-only", action="store_true",
                        help="measure the queue again on the database of the last run")
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "measure"))
    args = parser.parse_args()
    if args.quick:
        args.people, args.pending, args.variants = 65_000, 18_300, 250
        args.excluded, args.exclusion = 100, 1_000
    if args.mode == "measure":
        print(json.dumps(measure(args)))
        return 0
    import psycopg

    env = django_env({**os.environ, "DATABASE_URL": f"{PG_SERVER}/{args.pg_db}",
                      "LOG_LEVEL": "WARNING", "DEBUG": "false",
                      "ALLOWED_HOSTS": "testserver,localhost"})
    if not args.queue_only:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {args.pg_db}")
        log("postgres: migrating a fresh database")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    log(f"generating {args.people:,} people, {args.pending:,} pending")
    passed = [a for a in sys.argv[1:] if a not in ("run",)]
    done = subprocess.run([PYTHON, str(HERE / "vetting.py"), "measure", *passed], env=env,
                          cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load_average"] = os.getloadavg()
    if args.queue_only:
        print(json.dumps(figures, indent=2))
        return 0
    figures.update({"people": args.people, "pending": args.pending,
                    "quick": args.quick, "machine": machine(),
                    "date": time.strftime("%Y-%m-%d")})
    name = "last-postgres-quick.json" if args.quick else "last-postgres.json"
    (HERE / name).write_text(json.dumps(figures, indent=2) + "\n")
    print("\n| people | pending | queue p99 | dup. detection | recall | false /1000 "
          "| exclusion | excl. recall | vetting_check |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.people:,} | {args.pending:,} | {figures['queue_p99_ms']} ms "
          f"| {figures['duplicates_seconds']} s | {figures['duplicate_recall_all_percent']}% "
          f"| {figures['duplicate_false_per_1000']} | {figures['exclusion_seconds']} s "
          f"| {figures['exclusion_recall_percent']}% | {figures['check_seconds']} s |")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
