import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.demo.personas import make_user
from rankfile.membership.models import Membership, Payment
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.payments import payment_instructions, payment_record
from rankfile.membership.tests.join_helpers import joiner, make_offers, run_tasks

S = Membership.Status


@pytest.fixture
def pending(area):
    make_offers()
    return membership_apply(data=joiner()).payment


def test_it_gives_instructions_for_an_offline_payment(pending):
    info = payment_instructions(pending)

    assert (pending.reference, 2500, "£25.00") == (info["reference"], info["amount_pence"],
                                                   info["amount"])
    instructions = str(info["instructions"])
    assert pending.reference in instructions and "14 days" in instructions


def test_it_records_a_cheque_activates_and_sends_a_receipt(pending, staff):
    run_tasks()
    mail.outbox.clear()

    paid = payment_record(payment=pending, method="cheque", amount_pence=2500,
                          recorded_by=staff, note="Cheque 000123")

    pending.refresh_from_db()
    m = pending.membership
    m.refresh_from_db()
    assert (Payment.Status.PAID, "cheque", staff, "Cheque 000123") == (
        pending.status, pending.method, pending.recorded_by, pending.note)
    assert paid.receipt_number.startswith("RCP-")
    assert (S.ACTIVE, None, timezone.localdate()) == (m.status, m.expires_at, m.joined_on)
    change = m.history.last()
    assert (f"Payment {pending.reference} received by cheque", staff) == (change.reason,
                                                                           change.by)
    run_tasks()
    assert paid.receipt_number in mail.outbox[0].body


def test_it_refuses_anyone_but_staff(pending, secretary, outsider):
    for person in (secretary, outsider):
        with pytest.raises(PermissionRefused):
            payment_record(payment=pending, method="cash", amount_pence=2500,
                           recorded_by=person)

    pending.refresh_from_db()
    assert Payment.Status.PENDING == pending.status


def test_it_refuses_the_wrong_amount_and_changes_nothing(pending, staff):
    with pytest.raises(Refusal) as e:
        payment_record(payment=pending, method="bank", amount_pence=2000, recorded_by=staff)

    assert ("amount", "amount_mismatch") == (e.value.field, e.value.code)
    assert f"Payment {pending.reference} is for £25.00, not £20.00." in e.value.message
    pending.refresh_from_db()
    assert (Payment.Status.PENDING, S.APPLIED) == (pending.status, pending.membership.status)


def test_it_refuses_to_record_a_payment_twice(pending, staff):
    payment_record(payment=pending, method="cash", amount_pence=2500, recorded_by=staff)

    with pytest.raises(Refusal) as e:
        payment_record(payment=pending, method="cash", amount_pence=2500, recorded_by=staff)

    assert "already_paid" == e.value.code
    assert 2 == pending.membership.history.count()


def test_it_refuses_payment_of_an_expired_application(pending, staff):
    Membership.objects.filter(pk=pending.membership_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(Refusal) as e:
        payment_record(payment=pending, method="cash", amount_pence=2500, recorded_by=staff)

    assert "payment_expired" == e.value.code


def test_it_refuses_a_card_as_an_offline_method(pending, staff):
    with pytest.raises(Refusal) as e:
        payment_record(payment=pending, method="card", amount_pence=2500, recorded_by=staff)

    assert "method" == e.value.field


# -- the staff page -------------------------------------------------------------------------


def test_it_finds_payments_by_reference_name_or_email(client, pending, staff):
    client.force_login(staff)

    for query in (pending.reference.lower(), "Ada Joiner", "ada@example"):
        page = client.get("/staff/payments/", {"q": query}).content.decode()
        assert f"Record payment {pending.reference}" in page, query


def test_it_records_a_payment_from_the_staff_page(client, pending, staff):
    client.force_login(staff)
    prefix = pending.reference

    response = client.post(f"/staff/payments/{pending.reference}/record/", {
        f"{prefix}-method": "cash", f"{prefix}-amount": "25.00", f"{prefix}-note": ""})

    assert 302 == response.status_code
    pending.refresh_from_db()
    assert Payment.Status.PAID == pending.status
    page = client.get(response["Location"]).content.decode()
    assert f"receipt {pending.receipt_number}" in page


def test_it_shows_the_wrong_amount_next_to_the_field(client, pending, staff):
    client.force_login(staff)
    prefix = pending.reference

    response = client.post(f"/staff/payments/{pending.reference}/record/", {
        f"{prefix}-method": "cash", f"{prefix}-amount": "20", f"{prefix}-note": ""})

    page = response.content.decode()
    assert 400 == response.status_code
    assert f'id="id_{prefix}-amount_error"' in page and "not £20.00" in page


def test_it_forbids_the_staff_page_to_others(client, pending, secretary):
    client.force_login(secretary)

    page = client.get("/staff/payments/", {"q": pending.reference})
    post = client.post(f"/staff/payments/{pending.reference}/record/", {})

    assert (403, 403) == (page.status_code, post.status_code)
    assert "Only membership staff can record payments" in page.content.decode()


def test_it_sends_visitors_to_log_in(client, pending):
    assert "/accounts/login/" in client.get("/staff/payments/")["Location"]


def test_it_allows_only_post_to_record(client, pending, staff):
    client.force_login(staff)

    assert 405 == client.get(f"/staff/payments/{pending.reference}/record/").status_code


# -- the receipt ----------------------------------------------------------------------------


def test_it_shows_the_receipt_to_its_owner_only(client, pending, staff):
    paid = payment_record(payment=pending, method="cash", amount_pence=2500, recorded_by=staff)
    owner = pending.membership.user
    owner.set_password("a long new passphrase")
    owner.save()
    url = f"/join/receipt/{paid.reference}/"

    client.force_login(owner)
    mine = client.get(url)
    client.force_login(make_user("someone@example.org"))
    theirs = client.get(url)

    assert (200, 404) == (mine.status_code, theirs.status_code)
    assert paid.receipt_number in mine.content.decode()
