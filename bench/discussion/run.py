"""Benchmark: the first page of an article with 2,000 threaded comments.

Creates the PostgreSQL database rankfile_bench_discussion (dropped first if it
exists), migrates it, writes one article with 2,000 comments in threads, then
serves the site with gunicorn in production mode on a free loopback port and
times 200 sequential requests of the article's first page. Prints p50, p99,
the number of database queries the page takes, and stops the server.

Example (from the project root):

    bench/discussion/run
    bench/discussion/run --comments 2000 --requests 200 --workers 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "rankfile_bench_discussion"


def production_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "RANKFILE_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",  # production refuses to start without it
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "rankfile.settings",
    }


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True,
                   cwd=ROOT)


def seed(comments: int) -> str:
    """One published article with ``comments`` comments: a fifth start threads, the
    rest reply 1 to 4 deep; one in seven is a member's (with a badge), one in fifty
    removed. Returns the article's path."""
    import django

    django.setup()
    from django.utils import timezone

    from rankfile.accounts.models import Role, User
    from rankfile.branches.models import Body
    from rankfile.discussion.models import PATH_WIDTH, Comment
    from rankfile.discussion.services.articles import article_create, article_publish
    from rankfile.membership.models import Category, Membership

    now = timezone.now()
    org = Body.objects.create(kind=Body.Kind.ORGANISATION, name="Bench Party", code="ORG")
    branch = Body.objects.create(kind=Body.Kind.BRANCH, name="Chingford", code="WF-CHN",
                                 parent=org)
    writer = User.objects.create_user("writer@bench.invalid", first_name="Wren",
                                      last_name="Writer")
    boss = User.objects.create_user("mod@bench.invalid")
    for user, kind in ((writer, Role.Kind.AUTHOR), (boss, Role.Kind.MODERATOR)):
        Role.objects.create(user=user, kind=kind, body=branch, starts_on=dt.date(2020, 1, 1))
    category = Category.objects.create(kind=Category.Kind.MEMBER, name="Member")
    members = []
    for i in range(40):
        user = User.objects.create_user(f"m{i}@bench.invalid", first_name="Member",
                                        last_name=str(i))
        Membership.objects.create(
            reference=f"RF-B{i:07d}", user=user, category=category,
            status=Membership.Status.ACTIVE, first_name="Member", last_name=str(i),
            date_of_birth=dt.date(1980, 1, 1), postcode="E4 7AA", branch=branch,
            applied_at=now, consent_version="bench", consent_at=now)
        members.append(user)
    article = article_create(by=writer, body=branch, title="Why join now",
                             standfirst="The case for joining.", markdown="Join **now**.\n" * 20,
                             tags=["Joining"])
    article_publish(article=article, by=boss)

    rows: list[Comment] = []
    for n in range(1, comments + 1):
        parent = None if n % 5 == 1 else rows[n - 2 - (n % 3 == 0)]
        if parent is not None and parent.depth >= 4:
            parent = rows[parent.thread - 1]
        own = f"{n:0{PATH_WIDTH}d}"
        text = f"Comment {n}: " + "I agree with the article, mostly. " * (1 + n % 4)
        rows.append(Comment(
            article=article, number=n,
            thread=parent.thread if parent else n, depth=parent.depth + 1 if parent else 0,
            path=f"{parent.path}.{own}" if parent else own,
            author=members[n % 40] if n % 7 == 0 else None,
            name=f"Reader {n}", text=text, html=f"<p>{text}</p>",
            status=Comment.Status.HIDDEN if n % 50 == 0 else Comment.Status.VISIBLE,
            created_at=now + dt.timedelta(seconds=n)))
        rows[-1].parent_index = parent.number - 1 if parent else None
    Comment.objects.bulk_create(rows, batch_size=500)  # PostgreSQL sets the new pks
    for row in rows:
        if row.parent_index is not None:
            row.parent_id = rows[row.parent_index].pk
    Comment.objects.bulk_update([r for r in rows if r.parent_id], ["parent"], batch_size=500)
    article.last_comment_number = comments
    article.save(update_fields=["last_comment_number"])
    return article.get_absolute_url()


def count_queries(path: str) -> tuple[int, int]:
    """Queries for page 1 as a visitor, in this process (same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, len(ctx.captured_queries)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {seconds} s")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    env = production_env()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    print(f"Creating {DB_NAME} and migrating…", flush=True)
    recreate_database()
    manage(env, "migrate", "--noinput", "-v0")
    # Production serves hashed static names from the manifest: build it.
    manage(env, "collectstatic", "--noinput", "-v0")
    print(f"Writing an article with {args.comments:,} comments…", flush=True)
    path = seed(args.comments)
    status, queries = count_queries(path)
    if status != 200:
        raise SystemExit(f"page answered {status}")

    port = free_port()
    url = f"http://127.0.0.1:{port}{path}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "rankfile.wsgi", "-b",
         f"127.0.0.1:{port}", "-w", str(args.workers), "--access-logfile", "-",
         "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        wait_for(url, server)
        for _ in range(10):  # warm each worker's connection and template cache
            urllib.request.urlopen(url).read()
        times = []
        size = 0
        for _ in range(args.requests):
            started = time.perf_counter()
            with urllib.request.urlopen(url) as r:
                body = r.read()
            times.append((time.perf_counter() - started) * 1000)
            size = len(body)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')

    print(f"\n{dt.date.today()} on {platform.node()}: {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    from rankfile.discussion.selectors import COMMENTS_PER_PAGE

    print(f"article with {args.comments:,} comments; page 1 shows {COMMENTS_PER_PAGE}, "
          f"{size / 1024:.0f} KiB; "
          f"gunicorn {args.workers} workers, PostgreSQL")
    print(f"{args.requests} sequential requests: p50 {statistics.median(times):.1f} ms, "
          f"p99 {percentile(times, 99):.1f} ms, max {max(times):.1f} ms, "
          f"mean {statistics.fmean(times):.1f} ms")
    print(f"database queries for page 1: {queries}")


if __name__ == "__main__":
    main()
