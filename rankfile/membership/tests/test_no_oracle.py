"""No membership oracle: whoever applies with a known address or a new one sees the
same answer, from the same work, and the public figures move alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from rankfile.membership.models import (
    JoiningWindow,
    Membership,
    RepeatApplication,
)
from rankfile.membership.services.changes import membership_resign
from rankfile.membership.services.joining import joining_offers_forget
from rankfile.membership.stats import stats_clear
from rankfile.membership.tests.join_helpers import make_offers, must_search, run_tasks

KNOWN = "outsider@example.org"  # the ``outsider`` fixture's login


@pytest.fixture
def offers(area):
    return make_offers()


def body(email: str, **changes: Any) -> dict[str, Any]:
    data = {"category": "registered_supporter", "first_name": "Ada", "last_name": "Joiner",
            "email": email, "postcode": "e4 7aa", "date_of_birth": "1980-05-17",
            "consent": True}
    data.update(changes)
    return data


def join(client: Client, email: str, key: str, **changes: Any):
    return client.post("/api/join", json.dumps(body(email, **changes)),
                       content_type="application/json", headers={"Idempotency-Key": key})


def shape(answer: dict[str, Any]) -> dict[str, Any]:
    """An API answer with its random references blanked."""
    text = re.sub(r"\b(RF|PAY)-[A-Z0-9]+", r"\1-?", json.dumps(answer, sort_keys=True))
    return json.loads(text)


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL run, without its values, savepoint names and the rate limiter's cache."""
    return [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"|%s", "?", q["sql"]) for q in queries]


def test_a_reused_key_answers_alike_whoever_it_first_came_with(client, offers, outsider):
    # The attack: send a key with the address to test, then the same key with a fresh
    # address. It used to answer 201 after a known address and 409 after a new one.
    after_known = [join(client, KNOWN, "k-known").status_code,
                   join(client, "fresh1@example.org", "k-known")]
    after_new = [join(client, "new@example.org", "k-new").status_code,
                 join(client, "fresh2@example.org", "k-new")]

    assert 201 == after_known[0] == after_new[0]
    assert 409 == after_known[1].status_code == after_new[1].status_code
    assert after_known[1].json() == after_new[1].json()
    assert "idempotency_key_reused" == after_new[1].json()["error"]["code"]


def test_a_retry_answers_alike_and_stores_nothing_new(client, offers, outsider):
    known = [join(client, KNOWN, "k1").json() for _ in range(2)]
    new = [join(client, "new@example.org", "k2").json() for _ in range(2)]

    assert known[0] == known[1] and new[0] == new[1]
    assert (1, 1) == (RepeatApplication.objects.count(), Membership.objects.count())


@pytest.mark.parametrize("changes", [
    {},  # a fee to pay
    {"category": "member", "rate": "standard"},
    {"category": "affiliated_supporter", "union": "unite", "union_number": "U123"},
])
def test_the_api_answers_a_known_and_a_new_address_alike(client, offers, outsider, changes):
    known = join(client, KNOWN, "k1", **changes)
    new = join(client, "new@example.org", "k2", **changes)

    assert known.status_code == new.status_code == 201
    assert shape(known.json()) == shape(new.json())
    assert dict(known.headers) .keys() == dict(new.headers).keys()


def test_a_free_window_activates_a_known_and_a_new_address_alike(client, offers, outsider):
    JoiningWindow.objects.filter(pk=offers.window.pk).update(fee_pence=0)
    joining_offers_forget()

    known = join(client, KNOWN, "k1").json()
    new = join(client, "new@example.org", "k2").json()

    assert "active" == known["status"] == new["status"]
    assert None is known["payment"] is new["payment"]
    assert shape(known) == shape(new)
    assert Membership.Status.ACTIVE == Membership.objects.get(user__email="new@example.org").status


@pytest.mark.parametrize("fee", [2500, 0])
def test_a_known_and_a_new_address_cost_the_same_work(client, offers, outsider, fee):
    JoiningWindow.objects.filter(pk=offers.window.pk).update(fee_pence=fee)
    joining_offers_forget()
    join(client, "warm@example.org", "k0")  # caches warm: both below start alike

    with CaptureQueriesContext(connection) as known_queries:
        join(client, KNOWN, "k1")
    known_due = (RepeatApplication.objects.filter(notice_due=True).count(),
                 Membership.objects.filter(confirmation_due=True).count())
    with CaptureQueriesContext(connection) as new_queries:
        join(client, "new@example.org", "k2")

    # The same mail: one e-mail each to the address given, due by a flag in the row
    # written (the worker queues it), and no job row for either.
    assert (1, 1) == known_due
    assert (1, 2) == (RepeatApplication.objects.filter(notice_due=True).count(),
                      Membership.objects.filter(confirmation_due=True).count())
    assert 0 == DBTaskResult.objects.count()
    known_sql, new_sql = statements(known_queries), statements(new_queries)
    # The same reads, in the same order, then one write.
    reads = [q for q in new_sql if q.startswith("SELECT")]
    assert reads == [q for q in known_sql if q.startswith("SELECT")]
    # The key and the address are looked up together, whichever is known.
    assert 1 == len([q for q in reads if "idempotency_key" in q and "email" in q])
    if connection.vendor == "postgresql":
        # One INSERT statement each (the rows chained in a WITH query): one round trip.
        assert len(known_sql) == len(new_sql)
    else:
        # SQLite writes each row in the same one local transaction: no round trips.
        assert [q for q in known_sql if not q.startswith("INSERT")] == [
            q for q in new_sql if not q.startswith("INSERT")]


def done_page(client: Client, email: str) -> tuple[int, str]:
    page = client.get("/join/registered_supporter/").content.decode()
    token = must_search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = client.post("/join/registered_supporter/", {
        "first_name": "Ada", "last_name": "Joiner", "email": email,
        "date_of_birth": "1980-05-17", "postcode": "e4 7aa", "consent": "on",
        "form_token": token}, follow=True)
    text = re.sub(r"\b(RF|PAY)-[A-Z0-9]+", "REF", response.content.decode())
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return response.status_code, text


def test_the_joining_page_answers_a_known_and_a_new_address_alike(offers, outsider):
    known = done_page(Client(), KNOWN)
    new = done_page(Client(), "new@example.org")

    assert known == new
    assert "Check your inbox" in new[1] and "REF" in new[1]


def test_the_address_given_gets_one_e_mail_either_way(client, offers, outsider):
    join(client, KNOWN, "k1")
    join(client, "new@example.org", "k2")
    run_tasks()

    assert [["new@example.org"], [KNOWN]] == sorted(m.to for m in mail.outbox)


def figures(client: Client) -> dict[str, Any]:
    stats_clear()
    api = client.get("/api/stats").json()
    page = client.get("/stats/").content.decode()
    return {"api": api["totals"], "received": api["applications_received"],
            "hours": sum(h["count"] for h in api["signups_per_hour"]),
            "page": re.findall(r'data-stat="[^"]+">[^<]*<', page)}


def test_the_public_counter_moves_alike_for_a_known_and_a_new_address(client, offers, outsider):
    before = figures(client)
    join(client, KNOWN, "k1")
    after_known = figures(client)
    join(client, "new@example.org", "k2")
    after_new = figures(client)

    assert after_known["received"]["total"] == before["received"]["total"] + 1
    assert after_new["received"]["total"] == after_known["received"]["total"] + 1
    assert after_known["hours"] - before["hours"] == after_new["hours"] - after_known["hours"] == 1
    # People are counted once they confirmed their address, which only its owner can do.
    assert before["api"] == after_known["api"] == after_new["api"]
    assert before["received"]["by_category"]["registered_supporter"] + 2 == \
        after_new["received"]["by_category"]["registered_supporter"]


def test_people_count_once_their_address_is_confirmed(client, offers):
    join(client, "new@example.org", "k1")
    run_tasks()
    before = figures(client)
    link = must_search(r"http://\S+/join/confirm/\S+/", mail.outbox[0].body).group(0)
    path = "/join/confirm/" + link.split("/join/confirm/", 1)[1]
    client.post(path, {"new_password1": "a long new passphrase",
                       "new_password2": "a long new passphrase"})

    after = figures(client)

    assert before["api"]["people"] + 1 == after["api"]["people"]
    assert 1 == after["api"]["by_status"]["applied"]
    assert before["received"] == after["received"]


def test_a_resigned_member_who_joins_again_is_told_what_happens_next(client, offers, member):
    membership = Membership.objects.get(user=member)
    membership_resign(membership=membership, by=member, reason="Moving abroad")
    run_tasks()
    mail.outbox.clear()

    answer = join(client, member.email, "k1").json()
    run_tasks()

    # The references shown are real: staff find them.
    repeat = RepeatApplication.objects.get(reference=answer["reference"])
    assert (member, answer["payment"]["reference"], 2500) == (
        repeat.user, repeat.payment_reference, repeat.amount_pence)
    [notice] = mail.outbox
    assert [member.email] == notice.to
    assert f"Your earlier membership ({membership.reference}) ended on" in notice.body
    assert f"We have recorded this application to join again under reference {repeat.reference}" \
        in notice.body
    assert "Do not pay anything until they have" in notice.body
    assert Membership.Status.RESIGNED == Membership.objects.get(pk=membership.pk).status


def test_a_member_who_applies_again_is_told_there_is_nothing_to_do(client, offers, member):
    join(client, member.email, "k1")
    run_tasks()

    [notice] = mail.outbox
    assert "so there is\nnothing to do" in notice.body


def test_a_long_known_address_gets_its_notice(client, offers):
    from rankfile.demo.personas import make_user

    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".org"
    make_user(long_address)

    assert 201 == join(client, long_address, "k1").status_code
    run_tasks()

    assert [[long_address]] == [m.to for m in mail.outbox]
