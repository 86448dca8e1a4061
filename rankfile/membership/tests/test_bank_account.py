"""The bank account joiners pay to: a setting, shown on the page, in the e-mail and the API,
with a safe default that sends them to the membership office."""


import pytest
from django.core.checks import run_checks

from rankfile.membership.models import Payment
from rankfile.membership.services.payments import payment_instructions
from rankfile.membership.tests.join_helpers import make_offers, must_search, run_tasks


@pytest.fixture
def bank(settings):
    settings.PAYMENT_BANK_ACCOUNT_NAME = "Rank and File Party"
    settings.PAYMENT_BANK_SORT_CODE = "123456"
    settings.PAYMENT_BANK_ACCOUNT_NUMBER = "12345678"


def instructions():
    return payment_instructions(Payment(reference="PAY-TEST0001", amount_pence=2500))


def test_it_names_the_account_to_pay_to(bank):
    found = instructions()

    assert {"account_name": "Rank and File Party", "sort_code": "12-34-56",
            "account_number": "12345678"} == found["bank"]
    assert "sort code 12-34-56, account number 12345678" in found["instructions"]
    assert "PAY-TEST0001" in found["instructions"]


def test_it_sends_joiners_to_the_membership_office_when_no_account_is_set(settings):
    settings.MEMBERSHIP_OFFICE_EMAIL = "office@example.org"

    found = instructions()

    assert found["bank"] is None
    assert "ask the membership office (office@example.org) for the bank details" in (
        found["instructions"])


@pytest.mark.parametrize("name, sort_code, number, ids", [
    ("Party", "", "", ["rankfile.E110"]),
    ("Party", "12-34-5", "12345678", ["rankfile.E111"]),
    ("Party", "12-34-56", "1234567", ["rankfile.E112"]),
    ("Party", "12 34 56", "12345678", ["rankfile.E111"]),
    ("Party", "12-34-56", "12345678", []),
    ("", "", "", []),
])
def test_the_system_check_refuses_a_half_set_or_misshapen_account(settings, name, sort_code,
                                                                  number, ids):
    settings.PAYMENT_BANK_ACCOUNT_NAME = name
    settings.PAYMENT_BANK_SORT_CODE = sort_code
    settings.PAYMENT_BANK_ACCOUNT_NUMBER = number

    found = [m.id for m in run_checks() if m.id in ("rankfile.E110", "rankfile.E111", "rankfile.E112")]

    assert ids == found


def test_the_page_and_the_e_mail_show_the_account(client, area, bank, mailoutbox):
    make_offers()
    url = "/join/registered_supporter/"
    token = must_search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())

    done = client.post(url, {"first_name": "Ada", "last_name": "Joiner",
                             "email": "ada@example.org", "date_of_birth": "17/05/1980",
                             "postcode": "E4 7AA", "consent": "on",
                             "form_token": token.group(1)}, follow=True)
    run_tasks()

    page = done.content.decode()
    assert "<dt>Sort code</dt><dd><span class=\"nowrap\">12-34-56</span></dd>" in page
    assert "<dt>Account number</dt><dd><span class=\"nowrap\">12345678</span></dd>" in page
    body = mailoutbox[0].body
    assert "Sort code:       12-34-56" in body and "Account number:  12345678" in body
    assert "Account name:    Rank and File Party" in body


def test_the_api_gives_the_account_in_the_payment_instructions(client, area, bank):
    make_offers()

    answer = client.post("/api/join", {
        "category": "registered_supporter", "first_name": "Ada", "last_name": "Joiner",
        "email": "ada@example.org", "postcode": "E4 7AA", "date_of_birth": "1980-05-17",
        "consent": True}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1").json()

    assert {"account_name": "Rank and File Party", "sort_code": "12-34-56",
            "account_number": "12345678"} == answer["payment"]["instructions"]["bank"]
