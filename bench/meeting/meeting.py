"""Meeting benchmark: the door, a branch meeting's secret vote, and a conference's.

It creates a fresh PostgreSQL database, migrates it, fills it with the seeded
population of ``bench/common/population.py`` (650,000 people in 600 branches),
and sets up two meetings in session: a branch meeting (the branch with the most
voting members, about 1,100 members, plus people of other branches who said
they are coming) and a constituency conference whose delegates are checked in
already. Logins are minted as session rows in the database (the chair's and the
tellers' with two-factor passed, as ``bench/vetting`` does). The site then runs
under gunicorn in production mode on a loopback port, and every figure comes
from real HTTP requests:

1. door search: one teller searches ``--searches`` times (name prefixes, first
   name and surname prefixes, postcodes, membership numbers) among the branch's
   members and those coming; p50 / p99 (target p99 < 100 ms). Searches for
   people outside the meeting must find no one.
2. the branch meeting: three tellers check ``--room`` people in concurrently
   (a few of them from two tellers at once); the chair puts a motion to a
   secret vote; every attendee votes at once from their own client; the chair
   polls ``/live/`` every 0.1 s. Every vote must be counted once (checked in the
   database) and the chair's tally must show the last vote within 1 s.
3. the conference: ``--delegates`` clients poll the vote status every 2 s
   (asyncio, one connection per request as phones make); the chair puts a
   question; each delegate votes at a random moment within ``--vote-spread``
   seconds of seeing it. Poll p99 (target < 500 ms), all votes within 10 s of
   the question being put, every vote counted once, the chair's tally at most
   1 s behind.

Prints the figures and writes them to bench/meeting/last-postgres.json (or
last-postgres-quick.json). Run it with bench/meeting/run (see --help).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import http.client
import json
import os
import random
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "common")]
from env import django_env, machine  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# The CSRF secret every client sends as its cookie and in its forms (as a browser
# does with the token of the page it loaded).
CSRF = "b3nchm4rkcsrfs3cr3tb3nchm4rkcsrf"
OPEN_QUESTION = re.compile(rb"/questions/(\d+)/vote/")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(pct(values, 0.5), 1),
            "p99_ms": round(pct(values, 0.99), 1), "max_ms": round(max(values, default=0), 1)}


# -- The Django side (run in subprocesses) -------------------------------------------------

def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django

    django.setup()


def mint_sessions(users: list, *, two_factor: bool = False) -> list[str]:
    """A logged-in session row for each of ``users``, as a login would leave it."""
    import datetime as dt

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from rankfile.accounts.two_factor import SESSION_KEY

    store, expire, keys, rows = SessionStore(), timezone.now() + dt.timedelta(days=1), [], []
    for user in users:
        key = secrets.token_hex(16)
        data = {"_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash()}
        if two_factor:
            data[SESSION_KEY] = time.time()
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def _officers(body, prefix: str) -> tuple:
    """A chair and three tellers of ``body``, with two-factor set up and passed."""
    from rankfile.accounts.models import Role, User
    from rankfile.demo.personas import give_role, give_two_factor

    chair = User.objects.create_user(f"{prefix}.chair@bench.invalid", None,
                                     first_name="Chair", last_name=prefix)
    give_role(chair, Role.Kind.CHAIR, body)
    tellers = []
    for n in range(3):
        teller = User.objects.create_user(f"{prefix}.teller{n}@bench.invalid", None,
                                          first_name=f"Teller{n}", last_name=prefix)
        give_role(teller, Role.Kind.TELLER, body)
        tellers.append(teller)
    for user in (chair, *tellers):
        give_two_factor(user)
    return chair, tellers


def _meeting(body, title: str, proposer, seconder):
    from django.utils import timezone

    from rankfile.meetings.models import Meeting, Motion

    now = timezone.now()
    meeting = Meeting.objects.create(body=body, title=title, starts_at=now, called_at=now,
                                     place="Bench Hall", status=Meeting.Status.OPEN)
    motion = Motion.objects.create(
        meeting=meeting, number=1, title="Emergency motion on the rent strike",
        text="This branch supports the tenants' rent strike and will collect for their fund.",
        proposer=proposer, seconder=seconder, submitted_by=proposer, submitted_at=now)
    return meeting, motion


def _voting(qs, limit: int | None = None) -> list:
    from rankfile.membership.models import GOOD_STANDING

    found = (qs.filter(status__in=GOOD_STANDING, category__may_vote_in_meetings=True)
             .select_related("user").order_by("pk"))
    return list(found[:limit] if limit else found)


def _searches(pool: list[tuple], rng: random.Random, n: int) -> list[list[str]]:
    """``n`` door searches for people in ``pool``: (kind, query) pairs, a fixed mix."""
    kinds = (["surname"] * 5 + ["first name"] * 3 + ["first + surname"] * 3 + ["postcode"] * 4
             + ["membership number"] * 5)
    out = []
    for i in range(n):
        reference, first, last, postcode = rng.choice(pool)
        kind = kinds[i % len(kinds)]
        if kind == "surname":
            query = last[:3]
        elif kind == "first name":
            query = first[:rng.choice((2, 3, 4))].lower()
        elif kind == "first + surname":
            query = f"{first[:3]} {last[:4]}"
        elif kind == "postcode":
            query = postcode if i % 2 else postcode.lower()
        else:
            query = reference if i % 2 else reference.lower()
        out.append([kind, query])
    return out


def setup(args: argparse.Namespace) -> dict:
    """Fill the database (unless reused) and make the two meetings; returns the clients' state."""
    _django()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone
    from population import generate

    from rankfile.branches.models import Body
    from rankfile.meetings.models import Attendance, Meeting, Reply
    from rankfile.membership.models import GOOD_STANDING, Category, Membership

    now = timezone.now()
    state: dict = {}
    if not Membership.objects.exists():
        started = time.perf_counter()
        generate(connection, people=args.people, pending=args.pending, variants_each=10,
                 excluded=10, exclusion_size=100, now=now, log=log)
        state["generate_seconds"] = round(time.perf_counter() - started, 1)
        log(f"generated {args.people:,} people in {state['generate_seconds']} s")
    else:
        Meeting.objects.all().delete()
        from django.contrib.sessions.models import Session

        from rankfile.accounts.models import User
        Session.objects.all().delete()
        User.objects.filter(email__endswith=".invalid", memberships__isnull=True).delete()
        log("reusing the population; meetings and sessions made again")
    Category.objects.filter(kind=Category.Kind.MEMBER).update(may_vote_in_meetings=True)
    voters = Membership.objects.filter(status__in=GOOD_STANDING,
                                       category__may_vote_in_meetings=True)

    def largest(field: str) -> Body:
        top = voters.values(field).annotate(n=Count("id")).order_by("-n", field).first()
        return Body.objects.get(pk=top[field])

    branch, constituency = largest("branch"), largest("constituency")
    rng = random.Random(2026)

    # The branch meeting: its members, and people of other branches who are coming.
    room = _voting(Membership.objects.filter(branch=branch))
    if len(room) < args.room + 2:
        raise SystemExit(f"{branch} has {len(room)} voting members, fewer than --room {args.room}")
    meeting, motion = _meeting(branch, "Emergency branch meeting", room[0].user, room[1].user)
    chair, tellers = _officers(branch, "branch")
    elsewhere = list(Membership.objects.exclude(branch=branch).filter(status__in=GOOD_STANDING)
                     .order_by("?")[:args.coming_elsewhere].select_related("user"))
    coming = rng.sample(room, min(len(room), args.room * 2)) + elsewhere
    Reply.objects.bulk_create([Reply(meeting=meeting, user=m.user, answer=Reply.Answer.COMING,
                                     at=now) for m in coming])
    attendees = rng.sample(room, args.room)
    sessions = mint_sessions([m.user for m in attendees])
    from rankfile.meetings.services.door import door_pool

    pool = list(door_pool(meeting).values_list("reference", "first_name", "last_name",
                                               "postcode"))
    outsiders = list(Membership.objects.exclude(branch=branch).exclude(
        user__in=[m.user for m in elsewhere]).filter(status__in=GOOD_STANDING)
        .order_by("?").values_list("reference", flat=True)[:20])
    state.update({
        "branch": str(branch), "branch_members": Membership.objects.filter(branch=branch).count(),
        "branch_voting": len(room), "pool": len(pool), "coming": len(coming),
        "population": Membership.objects.count(),
        "meeting": meeting.pk, "motion": motion.pk,
        "chair": mint_sessions([chair], two_factor=True)[0],
        "tellers": mint_sessions(tellers, two_factor=True),
        "attendees": [{"reference": m.reference, "name": f"{m.first_name} {m.last_name}",
                       "session": s} for m, s in zip(attendees, sessions, strict=True)],
        "searches": _searches(pool, rng, args.searches),
        "outsiders": outsiders,
    })

    # The conference: delegates checked in already (as after a morning at the door).
    delegates = _voting(Membership.objects.filter(constituency=constituency))
    if len(delegates) < args.delegates + 2:
        raise SystemExit(f"{constituency} has {len(delegates)} voting members, fewer than "
                         f"--delegates {args.delegates}")
    conference, c_motion = _meeting(constituency, "Constituency conference",
                                    delegates[0].user, delegates[1].user)
    c_chair, _ = _officers(constituency, "conference")
    delegates = rng.sample(delegates, args.delegates)
    Attendance.objects.bulk_create([
        Attendance(meeting=conference, membership=m, user=m.user,
                   standing=Attendance.Standing.VOTING, reason="Voting member.",
                   checked_in_at=now) for m in delegates])
    state.update({
        "constituency": str(constituency), "conference": conference.pk,
        "conference_motion": c_motion.pk,
        "conference_chair": mint_sessions([c_chair], two_factor=True)[0],
        "delegates": mint_sessions([m.user for m in delegates]),
    })
    with connection.cursor() as cursor:
        for table in ("meetings_reply", "meetings_attendance", "django_session"):
            cursor.execute(f"ANALYZE {table}")
    state["plans"] = explain(meeting, tellers[0], state["searches"])
    return state


def explain(meeting, teller, searches: list[list[str]]) -> dict[str, str]:
    """EXPLAIN ANALYZE of the door's search query, one of each kind, as the view runs it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rankfile.meetings.services.door import door_search

    plans: dict[str, str] = {}
    for kind, query in searches:
        if kind in plans:
            continue
        with CaptureQueriesContext(connection) as ctx:
            door_search(by=teller, meeting=meeting, query=query)
        sql = next(q["sql"] for q in ctx.captured_queries
                   if '"membership_membership"' in q["sql"] and "ORDER BY" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans[kind] = f"-- {query}\n" + "\n".join(r[0] for r in cursor.fetchall())
    return plans


def check(args: argparse.Namespace) -> dict:
    """What the database holds after the run: attendances, marks and votes per question."""
    _django()
    from django.db.models import Count

    from rankfile.meetings.models import Attendance, Question, SecretVote, VoteMark

    out: dict = {"questions": {}}
    for meeting_id in (args.meeting_ids or "").split(","):
        if not meeting_id:
            continue
        att = Attendance.objects.filter(meeting_id=int(meeting_id))
        out[meeting_id] = {
            "attendances": att.count(),
            "distinct_members": att.values("membership").distinct().count(),
            "voting_present": att.filter(standing=Attendance.Standing.VOTING,
                                         checked_out_at__isnull=True).count()}
        for q in Question.objects.filter(meeting_id=int(meeting_id)):
            choices = dict(SecretVote.objects.filter(question=q).values_list("choice")
                           .annotate(n=Count("id")).values_list("choice", "n"))
            out["questions"][str(q.pk)] = {
                "meeting": int(meeting_id), "status": q.status,
                "marks": VoteMark.objects.filter(question=q).count(),
                "distinct_voters": VoteMark.objects.filter(question=q)
                .values("user").distinct().count(),
                "votes": sum(choices.values()), "choices": choices,
                "recorded": [q.votes_for, q.votes_against, q.abstentions]}
    return out


# -- HTTP clients -------------------------------------------------------------------------

class Site:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, session: str, data: dict | None = None,
                timeout: float = 60) -> tuple[int, bytes, float, float]:
        """(status, body, sent at, milliseconds) of one request on a new connection."""
        body = None
        headers = {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "Connection": "close"}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        sent = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        finally:
            conn.close()
        return answer.status, content, sent, (time.perf_counter() - sent) * 1000

    async def fetch(self, method: str, path: str, session: str | None,
                    data: dict | None = None, accept: str = "text/html") -> tuple[int, bytes]:
        """One request on a new connection; ``session`` None sends no cookies."""
        body = b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Accept: {accept}\r\nConnection: close\r\n")
        if session is not None:
            head += f"Cookie: sessionid={session}; csrftoken={CSRF}\r\n"
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF}).encode()
            head += ("Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(body)}\r\n")
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(head.encode() + b"\r\n" + body)
            raw = await reader.read()
        finally:
            writer.close()
        status = int(raw[9:12]) if raw[:5] == b"HTTP/" else 0
        return status, raw.partition(b"\r\n\r\n")[2]


def live_count(body: bytes, question: int) -> int:
    """The chair's count of votes cast on ``question`` from ``/live/``'s JSON."""
    data = json.loads(body)
    for q in data.get("open", []):
        if q.get("id") == question:
            return int(q.get("cast", -1))
    return -1


def open_questions(body: bytes) -> list[int]:
    """The open secret questions a poll answer shows (the JSON status or the vote page)."""
    if body[:1] == b"{":
        return [q["id"] if isinstance(q, dict) else int(q) for q in json.loads(body)["open"]]
    return [int(n) for n in OPEN_QUESTION.findall(body) if n != b"0"]


def door(site: Site, state: dict, warm: int = 10) -> dict:
    teller = state["tellers"][0]
    path = f"/meetings/{state['meeting']}/door/?q="
    for _kind, query in state["searches"][:warm]:
        status, body, _, _ = site.request("GET", path + urllib.parse.quote(query), teller)
        assert status == 200, (status, query, body[:300])
    times: dict[str, list[float]] = {}
    empty = 0
    for kind, query in state["searches"]:
        status, body, _, ms = site.request("GET", path + urllib.parse.quote(query), teller)
        assert status == 200, (status, query)
        empty += b"No one found" in body
        times.setdefault(kind, []).append(ms)
    leaks = 0
    for reference in state["outsiders"]:
        status, body, _, _ = site.request("GET", path + urllib.parse.quote(reference), teller)
        leaks += status != 200 or b"No one found" not in body
    every = [ms for values in times.values() for ms in values]
    return {"all": summary(every), "by_kind": {k: summary(v) for k, v in times.items()},
            "found_nobody": empty, "outsiders_searched": len(state["outsiders"]),
            "outsiders_found": leaks}


class ChairPoller(threading.Thread):
    """Polls ``/live/`` every ``every`` seconds: (sent, received, cast) for ``question``."""

    def __init__(self, site: Site, session: str, meeting: int, question: int, every: float):
        super().__init__(daemon=True)
        self.site, self.session, self.meeting, self.question = site, session, meeting, question
        self.every, self.polls, self.stop = every, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            status, body, sent, ms = self.site.request("GET", f"/meetings/{self.meeting}/live/",
                                                       self.session)
            if status == 200:
                self.polls.append((sent, sent + ms / 1000, live_count(body, self.question)))
            self.stop.wait(max(0.0, self.every - ms / 1000))


def tally_delay(polls: list[tuple[float, float, int]], acks: list[float]) -> dict:
    """How far the chair's tally trails the votes acknowledged to voters.

    ``final_ms``: from the last vote's acknowledgement to the first poll answer that
    shows every vote. ``behind_ms``: the longest a vote acknowledged before a poll was
    sent went unseen by that poll (0 if every poll showed every vote acknowledged before it).
    """
    acks = sorted(acks)
    total = len(acks)
    final = next((received for sent, received, cast in polls if cast >= total and
                  received >= acks[-1]), None)
    behind = 0.0
    for sent, _received, cast in polls:
        if 0 <= cast < total and acks[cast] < sent:
            behind = max(behind, sent - acks[cast])
    return {"final_ms": round((final - acks[-1]) * 1000, 1) if final else None,
            "behind_ms": round(behind * 1000, 1), "polls": len(polls)}


def branch_meeting(site: Site, state: dict) -> dict:
    meeting, attendees, tellers = state["meeting"], state["attendees"], state["tellers"]
    door_path = f"/meetings/{meeting}/door/"
    # Each teller takes a third of the queue; the first few people of each third are
    # also checked in by the next teller at the same moment (a clash at the door).
    queues = [attendees[k::3] for k in range(3)]
    for k in range(3):
        queues[(k + 1) % 3] = queues[k][:3] + queues[(k + 1) % 3]
    checkins: list[float] = []
    searches: list[float] = []
    failures: list[str] = []
    start = threading.Barrier(3)

    def tell(k: int) -> None:
        start.wait()
        for n, person in enumerate(queues[k]):
            query = person["reference"] if n % 2 else person["name"]
            t = time.perf_counter()
            status, body, _, ms = site.request(
                "GET", door_path + "?q=" + urllib.parse.quote(query), tellers[k])
            searches.append(ms)
            # Found: to check in, or shown as in already (another teller was quicker).
            if status != 200 or html.escape(person["name"].split()[-1]).encode() not in body:
                failures.append(f"search {query}: {status}")
                continue
            status, body, _, _ = site.request("POST", door_path, tellers[k],
                                              {"reference": person["reference"]})
            if status != 200 or b"Voting member" not in body:
                failures.append(f"check-in {person['reference']}: {status}")
            checkins.append((time.perf_counter() - t) * 1000)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=tell, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    door_seconds = time.perf_counter() - t0
    log(f"branch: {len(checkins)} check-ins by 3 tellers in {door_seconds:.1f} s, "
        f"{len(failures)} failures")

    chair = state["chair"]
    status, _, _, _ = site.request("POST", f"/meetings/{meeting}/put/", chair,
                                   {"motion": state["motion"], "method": "secret"})
    assert status == 302, status
    live = json.loads(site.request("GET", f"/meetings/{meeting}/live/", chair)[1])
    question = live["open"][0]["id"]
    poller = ChairPoller(site, chair, meeting, question, 0.1)
    poller.start()
    rng = random.Random(150)
    choices = [rng.choice(("for", "for", "against", "abstain")) for _ in attendees]
    acks: list[float] = []
    votes: list[float] = []
    vote_failures: list[str] = []
    ready = threading.Barrier(len(attendees))

    def voter(person: dict, choice: str) -> None:
        status, body, _, _ = site.request("GET", f"/meetings/{meeting}/vote/", person["session"])
        if status != 200 or int(question) not in open_questions(body):
            vote_failures.append(f"vote page {status}")
        ready.wait()
        status, _, _, ms = site.request("POST", f"/meetings/{meeting}/questions/{question}/vote/",
                                        person["session"], {"choice": choice})
        acks.append(time.perf_counter())
        votes.append(ms)
        if status != 302:
            vote_failures.append(f"vote {status}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=voter, args=(p, c)) for p, c in zip(attendees, choices,
                                                                           strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    vote_seconds = time.perf_counter() - t0
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and not any(
            c >= len(attendees) and r >= max(acks) for _, r, c in poller.polls):
        time.sleep(0.05)
    time.sleep(0.3)
    poller.stop.set()
    poller.join()
    status, _, _, _ = site.request("POST", f"/meetings/{meeting}/questions/{question}/close/",
                                   chair, {})
    sent = {c: choices.count(c) for c in ("for", "against", "abstain")}
    return {"attendees": len(attendees), "tellers": 3, "checkin": summary(checkins),
            "door_search_under_load": summary(searches), "door_seconds": round(door_seconds, 1),
            "door_failures": failures[:10], "vote": summary(votes),
            "vote_seconds": round(vote_seconds, 2), "vote_failures": vote_failures[:10],
            "tally": tally_delay(poller.polls, acks), "question": question,
            "choices_sent": [sent["for"], sent["against"], sent["abstain"]],
            "closed_status": status}


async def _conference(site: Site, state: dict, args: argparse.Namespace) -> dict:
    meeting, delegates, chair = state["conference"], state["delegates"], state["conference_chair"]
    page_path = f"/meetings/{meeting}/vote/"
    pages: list[float] = []
    loop = asyncio.get_running_loop()
    polls: list[tuple[float, float, str]] = []  # sent, ms, phase
    errors: list[str] = []
    votes: list[float] = []
    acks: list[float] = []
    phase = {"now": "waiting"}
    put_at: list[float] = []
    stop = asyncio.Event()
    voting: list[asyncio.Future] = []
    rng = random.Random(1000)
    choices = [rng.choice(("for", "for", "against", "abstain")) for _ in delegates]
    lags: list[float] = []

    async def vote(session: str, question: int, choice: str, delay: float) -> None:
        await asyncio.sleep(delay)
        for _attempt in range(5):
            sent = loop.time()
            try:
                status, body = await site.fetch(
                    "POST", f"/meetings/{meeting}/questions/{question}/vote/", session,
                    {"choice": choice}, accept="application/json")
            except OSError as e:
                errors.append(f"vote: {e!r}")
                await asyncio.sleep(0.5)
                continue
            votes.append((loop.time() - sent) * 1000)
            acks.append(time.perf_counter())
            if status != 200 or not json.loads(body).get("ok"):
                errors.append(f"vote {status} {body[:100]!r}")
            return

    async def delegate(n: int, session: str) -> None:
        # Delegates open the vote page over the first seconds, then their phones poll.
        await asyncio.sleep(rng.uniform(0, args.arrive))
        sent = loop.time()
        status, body = await site.fetch("GET", page_path, session)
        pages.append((loop.time() - sent) * 1000)
        found = re.search(rb'data-status="([^"]+)"', body)
        if status != 200 or not found:
            errors.append(f"vote page {status}")
            return
        if args.poll == "status":
            poll_path, poll_session = found.group(1).decode().replace("&amp;", "&"), None
        else:
            poll_path, poll_session = page_path, session
        await asyncio.sleep(rng.uniform(0, args.poll_every))
        tick = loop.time()
        seen: set[int] = set()
        while not stop.is_set():
            sent = loop.time()
            try:
                status, body = await site.fetch("GET", poll_path, poll_session)
            except OSError as e:
                errors.append(f"poll: {e!r}")
                status, body = 0, b""
            polls.append((sent, (loop.time() - sent) * 1000, phase["now"]))
            if status == 200:
                for question in open_questions(body):
                    if question not in seen:
                        seen.add(question)
                        voting.append(asyncio.ensure_future(vote(
                            session, question, choices[n], rng.uniform(0, args.vote_spread))))
            elif status:
                errors.append(f"poll {status}")
            tick += args.poll_every
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(0.0, tick - loop.time()))
            except TimeoutError:
                pass

    async def watch_lag() -> None:
        while not stop.is_set():
            t = loop.time()
            await asyncio.sleep(0.05)
            lags.append((loop.time() - t - 0.05) * 1000)

    chair_polls: list[tuple[float, float, int]] = []
    question_box: list[int] = []

    async def chair_live() -> None:
        while not stop.is_set():
            if question_box:
                sent = time.perf_counter()
                status, body = await site.fetch("GET", f"/meetings/{meeting}/live/", chair)
                if status == 200:
                    chair_polls.append((sent, time.perf_counter(),
                                        live_count(body, question_box[0])))
            await asyncio.sleep(0.2)

    tasks = [asyncio.ensure_future(delegate(n, s)) for n, s in enumerate(delegates)]
    tasks += [asyncio.ensure_future(watch_lag()), asyncio.ensure_future(chair_live())]
    log(f"conference: {len(delegates)} delegates polling ({args.poll}) every "
        f"{args.poll_every} s; the question comes in {args.wait} s")
    await asyncio.sleep(args.wait)
    phase["now"] = "voting"
    put_at.append(time.perf_counter())
    status, _ = await site.fetch("POST", f"/meetings/{meeting}/put/", chair,
                                 {"motion": state["conference_motion"], "method": "secret"})
    assert status == 302, status
    status, body = await site.fetch("GET", f"/meetings/{meeting}/live/", chair)
    question_box.append(json.loads(body)["open"][0]["id"])
    deadline = loop.time() + args.poll_every + args.vote_spread + 30
    while len(acks) < len(delegates) and loop.time() < deadline:
        await asyncio.sleep(0.1)
    phase["now"] = "after"
    end = loop.time() + 3
    while loop.time() < end and not any(c >= len(delegates) for _, _, c in chair_polls):
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    stop.set()
    for late in voting:
        late.cancel()
    await asyncio.gather(*tasks, *voting, return_exceptions=True)
    status, _ = await site.fetch("POST", f"/meetings/{meeting}/questions/{question_box[0]}"
                                 "/close/", chair, {})
    sent_choices = {c: choices.count(c) for c in ("for", "against", "abstain")}
    by_phase = {p: summary([ms for _, ms, ph in polls if ph == p])
                for p in ("waiting", "voting", "after")}
    window = (max(acks) - put_at[0]) if acks else None
    return {"delegates": len(delegates), "poll": args.poll, "poll_every_s": args.poll_every,
            "vote_page": summary(pages),
            "vote_spread_s": args.vote_spread, "polls": summary([ms for _, ms, _ in polls]),
            "poll_by_phase": by_phase, "vote": summary(votes), "votes_acknowledged": len(acks),
            "last_vote_after_put_s": round(window, 2) if window else None,
            "tally": tally_delay(chair_polls, acks), "errors": len(errors),
            "error_sample": errors[:10], "client_loop_lag": summary(lags),
            "question": question_box[0], "closed_status": status,
            "choices_sent": [sent_choices["for"], sent_choices["against"],
                             sent_choices["abstain"]]}


# -- The run ------------------------------------------------------------------------------

class Server:
    def __init__(self, env: dict[str, str], port: int, workers: int, tmp: Path) -> None:
        self.log = tmp / "gunicorn.log"
        self.process = subprocess.Popen(
            [GUNICORN, "rankfile.wsgi", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", "--backlog", "4096", "--log-level", "warning",
             "--timeout", "120"],
            env=env, cwd=ROOT, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's workers have used so far."""
        pid = self.process.pid
        total = 0.0
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return float("nan")
        for child in [str(pid), *children]:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def django_json(mode: str, env: dict[str, str], *extra: str) -> dict:
    done = subprocess.run([PYTHON, str(HERE / "meeting.py"), mode, *extra], env=env, cwd=ROOT,
                          stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "setup", "check"))
    parser.add_argument("--pg-db", default="rankfile_bench_meeting")
    parser.add_argument("--people", type=int, default=650_000)
    parser.add_argument("--pending", type=int, default=183_000)
    parser.add_argument("--room", type=int, default=150, help="people at the branch meeting")
    parser.add_argument("--coming-elsewhere", type=int, default=200,
                        help="members of other branches who said they are coming")
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's sync workers")
    parser.add_argument("--port", type=int, default=8151)
    parser.add_argument("--poll", choices=("status", "page"), default="status",
                        help="what a delegate's phone polls: the vote page's status (as its "
                             "script does) or the whole vote page (as reloading it would)")
    parser.add_argument("--arrive", type=float, default=30.0,
                        help="delegates open the vote page within this many seconds (they "
                             "are waiting on it, polling, when the question is put)")
    parser.add_argument("--poll-every", type=float, default=2.0)
    parser.add_argument("--vote-spread", type=float, default=6.0,
                        help="each delegate votes at random within this many seconds of "
                             "seeing the question")
    parser.add_argument("--wait", type=float, default=40.0,
                        help="seconds of polling before the question is put")
    parser.add_argument("--quick", action="store_true",
                        help="65,000 people, 30 in the room, 150 delegates, 100 searches")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the last run's population (meetings are made again)")
    parser.add_argument("--skip", default="", help="parts to skip: door,branch,conference")
    parser.add_argument("--state", default="")
    parser.add_argument("--meeting-ids", default="")
    args = parser.parse_args()
    if args.quick:
        args.people, args.pending, args.room, args.delegates = 65_000, 18_300, 30, 150
        args.searches, args.coming_elsewhere, args.wait, args.arrive = 100, 20, 15.0, 8.0
    if args.mode == "setup":
        state = setup(args)
        Path(args.state).write_text(json.dumps(state))
        print(json.dumps({"ok": True}))
        return 0
    if args.mode == "check":
        print(json.dumps(check(args)))
        return 0

    import psycopg

    tmp = Path(tempfile.mkdtemp(prefix="bench-meeting-"))
    env = django_env({**os.environ, "DATABASE_URL": f"{PG_SERVER}/{args.pg_db}",
                      "LOG_LEVEL": "WARNING", "RANKFILE_MODE": "production",
                      "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
                      "SECURE_SSL_REDIRECT": "false", "RATELIMIT_EXEMPT_IPS": "127.0.0.1"})
    started = time.perf_counter()
    if not args.reuse:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {args.pg_db}")
        log(f"postgres: migrating a fresh database {args.pg_db}")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    # Production serves hashed static files from the manifest (the pages link the CSS).
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env,
                   check=True, cwd=ROOT)
    log(f"setting up: {args.people:,} people, {args.room} in the room, "
        f"{args.delegates} delegates")
    state_file = tmp / "state.json"
    django_json("setup", env, "--state", str(state_file),
                *[a for a in sys.argv[1:] if a != "run"])
    state = json.loads(state_file.read_text())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    figures: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "machine": machine(), "command": " ".join(["bench/meeting/run", *sys.argv[1:]]),
                     "quick": args.quick, "workers": args.workers,
                     "load_before": [round(x, 2) for x in os.getloadavg()]}
    figures["branch_name"] = state["branch"]
    figures.update({k: state[k] for k in ("population", "branch_members",
                                          "branch_voting", "pool", "coming", "constituency",
                                          "generate_seconds") if k in state})
    figures["plans"] = state["plans"]
    figures["meeting_ids"] = [state["meeting"], state["conference"]]
    server = Server(env, args.port, args.workers, tmp)
    site = Site(args.port)
    skip = set(args.skip.split(","))
    try:
        if "door" not in skip:
            log(f"door search: {len(state['searches'])} searches by one teller")
            # Every worker loads its code and templates on its first requests: not counted.
            for _kind, query in state["searches"][:20]:
                site.request("GET", f"/meetings/{state['meeting']}/door/?q="
                             + urllib.parse.quote(query), state["tellers"][0])
            cpu = server.cpu_seconds()
            figures["door"] = door(site, state)
            # The server's own CPU per request (the wall time on a shared machine
            # mostly measures waiting for a core): warm-up, searches and outsiders.
            asked = 10 + len(state["searches"]) + len(state["outsiders"])
            figures["door"]["server_cpu_ms_per_search"] = round(
                1000 * (server.cpu_seconds() - cpu) / asked, 1)
            log(f"door search: p50 {figures['door']['all']['p50_ms']} ms, "
                f"p99 {figures['door']['all']['p99_ms']} ms")
        if "branch" not in skip:
            figures["branch"] = branch_meeting(site, state)
            b = figures["branch"]
            log(f"branch: {b['attendees']} votes in {b['vote_seconds']} s, vote p99 "
                f"{b['vote']['p99_ms']} ms, tally final {b['tally']['final_ms']} ms")
        if "conference" not in skip:
            cpu, t = server.cpu_seconds(), time.perf_counter()
            figures["conference"] = asyncio.run(_conference(site, state, args))
            c = figures["conference"]
            c["server_cpu_s"] = round(server.cpu_seconds() - cpu, 1)
            c["wall_s"] = round(time.perf_counter() - t, 1)
            asked = c["polls"]["n"] + c["vote_page"]["n"] + c["vote"]["n"] + c["tally"]["polls"]
            c["server_cpu_ms_per_request"] = round(1000 * c["server_cpu_s"] / asked, 2)
            log(f"conference: poll p99 {c['polls']['p99_ms']} ms, last vote "
                f"{c['last_vote_after_put_s']} s after put, tally final "
                f"{c['tally']['final_ms']} ms, {c['errors']} errors")
    finally:
        server.stop()
        figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    figures["database"] = django_json("check", env, "--meeting-ids",
                                      f"{state['meeting']},{state['conference']}")
    figures["seconds"] = round(time.perf_counter() - started, 1)
    verdict(figures)
    name = "last-postgres-quick.json" if args.quick else "last-postgres.json"
    (HERE / name).write_text(json.dumps(figures, indent=2) + "\n")
    print(table(figures))
    log(f"figures in {HERE / name}; gunicorn's log in {server.log}")
    return 0 if all(figures["targets"].values()) else 1


def verdict(f: dict) -> None:
    """Each target, met or not, from the figures and the database's counts."""
    db, t = f["database"], {}
    if "door" in f:
        t["door search p99 < 100 ms"] = f["door"]["all"]["p99_ms"] < 100
        t["door finds no outsider"] = f["door"]["outsiders_found"] == 0
    if "branch" in f:
        b = f["branch"]
        q = db["questions"][str(b["question"])]
        room = db[str(f["meeting_ids"][0])]
        t["branch: every attendee checked in once"] = (
            room["attendances"] == room["distinct_members"] == b["attendees"]
            and not b["door_failures"])
        t["branch: every vote counted once"] = (
            q["marks"] == q["votes"] == q["distinct_voters"] == b["attendees"]
            and q["recorded"] == b["choices_sent"] and not b["vote_failures"])
        t["branch: tally within 1 s"] = (b["tally"]["final_ms"] is not None
                                         and b["tally"]["final_ms"] <= 1000
                                         and b["tally"]["behind_ms"] <= 1000)
    if "conference" in f:
        c = f["conference"]
        q = db["questions"][str(c["question"])]
        t["conference: poll p99 < 500 ms"] = c["polls"]["p99_ms"] < 500
        t["conference: all voted within 10 s"] = (c["votes_acknowledged"] == c["delegates"]
                                                  and c["last_vote_after_put_s"] <= 10)
        t["conference: every vote counted once"] = (
            q["marks"] == q["votes"] == q["distinct_voters"] == c["delegates"]
            and q["recorded"] == c["choices_sent"])
        t["conference: tally at most 1 s behind"] = (c["tally"]["final_ms"] is not None
                                                     and c["tally"]["final_ms"] <= 1000
                                                     and c["tally"]["behind_ms"] <= 1000)
    f["targets"] = t


def table(f: dict) -> str:
    rows = ["| what | figure | target |", "| --- | ---: | --- |"]
    if "door" in f:
        d = f["door"]
        rows.append(f"| door search, {d['all']['n']} searches, p50 / p99 | "
                    f"{d['all']['p50_ms']} / {d['all']['p99_ms']} ms | p99 < 100 ms |")
        for kind, s in d["by_kind"].items():
            rows.append(f"| — {kind} ({s['n']}), p50 / p99 | {s['p50_ms']} / {s['p99_ms']} ms | |")
        rows.append(f"| outsiders found (of {d['outsiders_searched']}) | {d['outsiders_found']} "
                    "| 0 |")
        rows.append(f"| server CPU per search (mean) | {d.get('server_cpu_ms_per_search')} ms | |")
    if "branch" in f:
        b = f["branch"]
        rows += [
            f"| branch: {b['attendees']} checked in by 3 tellers | {b['door_seconds']} s "
            f"(each p50 / p99 {b['checkin']['p50_ms']} / {b['checkin']['p99_ms']} ms) | |",
            f"| branch: {b['attendees']} votes at once, p50 / p99 | {b['vote']['p50_ms']} / "
            f"{b['vote']['p99_ms']} ms (all in {b['vote_seconds']} s) | |",
            f"| branch: chair's tally after the last vote | {b['tally']['final_ms']} ms "
            f"(at most {b['tally']['behind_ms']} ms behind) | <= 1,000 ms |"]
    if "conference" in f:
        c = f["conference"]
        rows += [
            f"| conference: {c['delegates']} polling every {c['poll_every_s']} s, p50 / p99 | "
            f"{c['polls']['p50_ms']} / {c['polls']['p99_ms']} ms ({c['polls']['n']} polls) "
            "| p99 < 500 ms |",
            f"| conference: vote page opened, p50 / p99 | {c['vote_page']['p50_ms']} / "
            f"{c['vote_page']['p99_ms']} ms | |",
            f"| — while voting, p50 / p99 | {c['poll_by_phase']['voting']['p50_ms']} / "
            f"{c['poll_by_phase']['voting']['p99_ms']} ms | |",
            f"| conference: votes, p50 / p99 | {c['vote']['p50_ms']} / {c['vote']['p99_ms']} ms "
            f"| |",
            f"| conference: last vote after the question was put | "
            f"{c['last_vote_after_put_s']} s ({c['votes_acknowledged']} acknowledged) | <= 10 s |",
            f"| conference: chair's tally after the last vote | {c['tally']['final_ms']} ms "
            f"(at most {c['tally']['behind_ms']} ms behind) | <= 1,000 ms |",
            f"| conference: server CPU per request (mean) | "
            f"{c.get('server_cpu_ms_per_request')} ms ({c.get('server_cpu_s')} s in "
            f"{c.get('wall_s')} s) | |",
            f"| conference: errors / client loop lag p99 | {c['errors']} / "
            f"{c['client_loop_lag']['p99_ms']} ms | 0 |"]
    rows += ["", "Targets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}"
                                        for k, v in f["targets"].items())]
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
