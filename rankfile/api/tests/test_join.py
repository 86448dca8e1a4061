"""POST /api/join: applications, idempotent retries, and refusals in plain words."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.accounts.models import User
from rankfile.api.tests.conftest import application
from rankfile.membership.models import JoiningWindow, Membership, Payment, RepeatApplication
from rankfile.membership.services.joining import joining_offers_forget
from rankfile.membership.tests.join_helpers import emails_due


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    return body["error"]


def test_it_accepts_an_application_with_payment_instructions(api_client, offers):
    response = api_client.join(application())

    assert 201 == response.status_code
    body = response.json()
    membership = Membership.objects.get()
    assert membership.reference == body["reference"]
    assert "applied" == body["status"]
    assert "registered_supporter" == body["category"]
    assert 2500 == body["payment"]["amount_pence"]
    assert membership.payments.get().reference == body["payment"]["reference"]
    assert body["payment"]["instructions"]
    assert "E4 7AA" == membership.postcode
    assert "key-1" == membership.idempotency_key


def test_it_accepts_a_member_with_a_rate(api_client, offers):
    response = api_client.join(application(category="member", rate="standard"))

    assert 201 == response.status_code
    assert 450 == response.json()["payment"]["amount_pence"]


def test_it_answers_a_retry_the_same_and_stores_nothing_new(api_client, offers):
    first = api_client.join(application())
    again = api_client.join(application())

    assert 201 == again.status_code
    assert first.json() == again.json()
    assert 1 == Membership.objects.count()
    assert 1 == Payment.objects.count()


def test_it_refuses_a_reused_key_with_another_body(api_client, offers):
    api_client.join(application())
    response = api_client.join(application(first_name="Eve"))

    assert 409 == response.status_code
    assert "idempotency_key_reused" == error(response)["code"]
    assert 1 == Membership.objects.count()


def test_it_needs_an_idempotency_key(api_client, offers):
    response = api_client.join(application(), key=None)

    assert 422 == response.status_code
    assert "Idempotency-Key" == error(response)["field"]
    assert 0 == Membership.objects.count()


def test_it_answers_a_known_address_neutrally(api_client, offers):
    User.objects.create_user("ada@example.org", "correct horse battery")
    response = api_client.join(application())

    assert 201 == response.status_code
    body = response.json()
    # A notice goes to the address instead.
    assert 1 == RepeatApplication.objects.filter(notice_due=True).count()
    assert body["reference"].startswith("RF-")
    assert 2500 == body["payment"]["amount_pence"]
    assert 0 == Membership.objects.count()
    # Nothing in the answer tells it apart from a new application.
    new = api_client.join(application(email="new@example.org"), key="key-2").json()
    assert set(new) == set(body)
    assert set(new["payment"]) == set(body["payment"])


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"postcode": "not a postcode"}, "postcode", "invalid_postcode"),
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "unknown_postcode"),
        ({"date_of_birth": str(dt.date.today() - dt.timedelta(days=10 * 365))},
         "date_of_birth", "too_young"),
        ({"consent": False}, "consent", "consent_required"),
        ({"first_name": "A" * 101}, "first_name", "too_long"),
        ({"last_name": "Jo\u0000iner"}, "last_name", "unreadable"),
        ({"last_name": "Jo\udc80iner"}, "last_name", "unreadable"),
        ({"first_name": ...}, "first_name", "required"),
        ({"category": "lord"}, "category", "unknown_category"),
        ({"category": "member"}, "rate", "unknown_rate"),
        ({"category": "affiliated_supporter", "union": "unite"}, "union_number", "required"),
        ({"email": "not-an-address"}, "email", "invalid_email"),
    ],
)
def test_it_refuses_bad_input_in_plain_words(api_client, offers, changes, field, code):
    response = api_client.join(application(**changes))

    assert 400 == response.status_code
    refusal = error(response)
    assert (field, code) == (refusal["field"], refusal["code"])
    assert refusal["message"].endswith(".")
    assert 0 == Membership.objects.count()


def test_it_refuses_a_closed_window_with_when_it_opens(api_client, offers):
    now = timezone.now()
    JoiningWindow.objects.filter(pk=offers.pk).update(
        opens_at=now + dt.timedelta(days=2), closes_at=now + dt.timedelta(days=4)
    )
    joining_offers_forget()

    response = api_client.join(application())

    assert 400 == response.status_code
    refusal = error(response)
    assert "window_closed" == refusal["code"]
    assert "opens on" in refusal["message"]


def test_it_refuses_a_window_that_has_closed(api_client, offers):
    now = timezone.now()
    JoiningWindow.objects.filter(pk=offers.pk).update(
        opens_at=now - dt.timedelta(days=4), closes_at=now - dt.timedelta(days=2)
    )
    joining_offers_forget()

    response = api_client.join(application())

    assert "closed on" in error(response)["message"]


def test_it_gives_the_form_s_messages(api_client, offers):
    response = api_client.join(application(first_name="A" * 101))

    assert "Your first name must be 100 characters or fewer." == error(response)["message"]


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00{", b'{"first_name": "\xc3\x28"}', b"{not json", b"[1, 2]", b'"text"', b""],
)
def test_it_answers_400_to_a_body_that_is_not_a_utf8_json_object(api_client, offers, raw):
    response = api_client.join(None, raw=raw)

    assert response.status_code in (400, 422)
    assert error(response)["message"]
    assert 0 == Membership.objects.count()


def test_it_answers_400_with_the_error_shape_for_malformed_json(api_client, offers):
    response = api_client.join(None, raw=b"{not json")

    assert 400 == response.status_code
    assert "malformed" == error(response)["code"]


def test_it_refuses_a_date_that_is_not_a_date(api_client, offers):
    response = api_client.join(application(date_of_birth="17/05/1980"))

    assert 422 == response.status_code
    refusal = error(response)
    assert "date_of_birth" == refusal["field"]
    assert "Enter your date of birth as a date, like 1980-05-17." == refusal["message"]


def test_it_refuses_text_where_a_name_should_be(api_client, offers):
    response = api_client.join(application(first_name=["Ada"]))

    assert 422 == response.status_code
    assert "first_name" == error(response)["field"]


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_EXEMPT_IPS=[])
def test_it_rate_limits_one_address(api_client, offers):
    for n in range(30):
        api_client.join(application(email=f"p{n}@example.org"), key=f"k{n}")

    before = (Membership.objects.count(), User.objects.count(), emails_due(),
              DBTaskResult.objects.count())

    response = api_client.join(application(email="late@example.org"), key="late")

    assert 429 == response.status_code
    assert "rate_limited" == error(response)["code"]
    assert before == (Membership.objects.count(), User.objects.count(), emails_due(),
                      DBTaskResult.objects.count())


@override_settings(RATELIMIT_ENABLE=True, RATELIMIT_EXEMPT_IPS=["127.0.0.1"])
def test_it_exempts_the_configured_addresses(api_client, offers):
    for n in range(31):
        response = api_client.join(application(email=f"p{n}@example.org"), key=f"k{n}")

    assert 201 == response.status_code


def test_it_allows_only_post(api_client, offers):
    response = api_client.get("/api/join")

    assert 405 == response.status_code


def test_it_stores_exactly_what_was_sent(api_client, offers):
    api_client.join(application(first_name="Zoë", last_name="Ó Súilleabháin"))

    membership = Membership.objects.get()
    assert ("Zoë", "Ó Súilleabháin") == (membership.first_name, membership.last_name)
    assert json.loads(json.dumps(membership.first_name)) == "Zoë"


def test_it_refuses_an_over_long_idempotency_key(api_client, offers):
    response = api_client.join(application(), key="k" * 101)

    assert 422 == response.status_code
    assert "Idempotency-Key" == error(response)["field"]
    assert 0 == Membership.objects.count()


@pytest.mark.parametrize(("changes", "bank", "known"), [
    ({}, False, False),
    ({}, True, False),
    ({"category": "member", "rate": "standard"}, False, False),
    ({"category": "affiliated_supporter", "union": "unite", "union_number": "U1234"},
     False, False),
    ({}, True, True),
])
def test_its_answer_is_exactly_the_schema_s(api_client, offers, settings, changes, bank,
                                            known):
    # The answer is written as JSON by hand (api.join), not through JoinOut: hold it
    # to what JoinOut would write, key for key and type for type.
    from rankfile.api.schemas import JoinOut

    if bank:
        settings.PAYMENT_BANK_ACCOUNT_NAME = "Rank and File Party"
        settings.PAYMENT_BANK_SORT_CODE = "123456"
        settings.PAYMENT_BANK_ACCOUNT_NUMBER = "12345678"
    if known:
        User.objects.create_user("ada@example.org", "correct horse battery")

    response = api_client.join(application(**changes))

    assert (201, "application/json") == (response.status_code, response["Content-Type"])
    body = json.loads(response.content)
    assert JoinOut.model_validate(body).model_dump(mode="json") == body
    assert (body["payment"] is None) == (changes.get("category") == "affiliated_supporter")
