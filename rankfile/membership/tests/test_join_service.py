import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.accounts.models import User
from rankfile.core.errors import Conflict, Refusal
from rankfile.core.tests.health import count_health_checks, new_request
from rankfile.membership.models import JoiningWindow, Membership, Payment
from rankfile.membership.services.joining import membership_apply, payment_instructions
from rankfile.membership.tests.join_helpers import joiner, make_offers, payment_of, run_tasks

S = Membership.Status


@pytest.fixture
def offers(area):
    return make_offers()


def refusal(data, **kwargs) -> Refusal:
    with pytest.raises(Refusal) as e:
        membership_apply(data=data, **kwargs)
    return e.value


def nothing_written() -> bool:
    return (0, 0, 0, 0) == (Membership.objects.count(), Payment.objects.count(),
                            DBTaskResult.objects.count(),
                            User.objects.filter(email="ada@example.org").count())


def test_it_applies_as_a_registered_supporter_through_the_open_window(offers, area):
    now = timezone.now()

    result = membership_apply(data=joiner(), now=now)

    m = result.membership
    m.refresh_from_db()
    assert (True, False) == (result.created, result.neutral)
    assert (S.APPLIED, offers.window, 2500) == (m.status, m.window, m.fee_pence)
    assert (area.ward, area.branch, area.constituency, "E4 7AA") == (
        m.ward, m.branch, m.constituency, m.postcode)
    assert now + dt.timedelta(hours=14 * 24) == m.expires_at
    assert m.reference.startswith("RF-") and 11 == len(m.reference)
    assert ("offline", 2500, Payment.Status.PENDING) == (
        payment_of(result).provider, payment_of(result).amount_pence, payment_of(result).status)
    assert payment_of(result).reference.startswith("PAY-")
    assert "2026-11" == m.consent_version
    assert not m.user.has_usable_password()
    assert [("", S.APPLIED)] == [(c.from_status, c.to_status) for c in m.history.all()]
    # Its confirmation e-mail is due by the row itself: no job row (the worker's sweep).
    assert (True, 0) == (m.confirmation_due, DBTaskResult.objects.count())


def test_it_names_every_category_when_none_is_chosen(offers):
    e = refusal(joiner(category="gold"))

    assert ("unknown_category", "category") == (e.code, e.field)
    assert ("Choose how you want to join: as a member, an affiliated supporter or a "
            "registered supporter.") == e.message


def test_it_charges_a_member_the_rate_they_chose(offers):
    result = membership_apply(data=joiner(category="member", rate="reduced"))

    assert (offers.reduced, 150) == (result.membership.rate, payment_of(result).amount_pence)


def test_it_leaves_an_affiliated_supporter_applied_without_a_fee(offers):
    result = membership_apply(data=joiner(category="affiliated_supporter", union="unite",
                                          union_number=" 12345 "))

    m = result.membership
    assert (S.APPLIED, None, None, offers.union, "12345") == (
        m.status, m.expires_at, result.payment, m.union, m.union_number)


def test_it_activates_at_once_when_no_fee_is_due(offers):
    JoiningWindow.objects.filter(pk=offers.window.pk).update(fee_pence=0)

    result = membership_apply(data=joiner())

    assert (S.ACTIVE, None) == (result.membership.status, result.payment)


def test_it_sends_the_confirmation_with_the_payment_reference(offers):
    result = membership_apply(data=joiner())

    assert 1 == run_tasks()
    assert 1 == len(mail.outbox)
    body = str(mail.outbox[0].body)
    assert ["ada@example.org"] == mail.outbox[0].to
    assert payment_of(result).reference in body and "£25.00" in body
    assert "/join/confirm/" in body


def test_it_refuses_an_invalid_postcode(offers):
    e = refusal(joiner(postcode="XYZ"))

    assert ("postcode", "invalid_postcode") == (e.field, e.code)
    assert "‘XYZ’ is not a UK postcode" in e.message
    assert nothing_written()


def test_it_refuses_an_unknown_postcode_naming_it(offers):
    e = refusal(joiner(postcode="e4 9zz"))

    assert ("postcode", "unknown_postcode") == (e.field, e.code)
    assert "We could not find E4 9ZZ in our list of postcodes" in e.message
    assert nothing_written()


def test_it_keeps_an_unknown_postcode_for_staff_when_the_joiner_says_it_is_missing(offers):
    result = membership_apply(data=joiner(postcode="e4 9zz", postcode_missing=True))

    m = result.membership
    assert (True, None, "E4 9ZZ") == (m.needs_placement, m.branch, m.postcode)


def test_it_refuses_when_the_window_is_not_yet_open(offers):
    opens = timezone.make_aware(dt.datetime(2016, 7, 18, 17, 0))
    JoiningWindow.objects.filter(pk=offers.window.pk).update(
        opens_at=opens, closes_at=opens + dt.timedelta(hours=48))

    e = refusal(joiner(), now=opens - dt.timedelta(days=1))

    assert ("category", "window_closed") == (e.field, e.code)
    assert ("Registration as a registered supporter opens on Monday 18 July 2016 at 17:00."
            == e.message)
    assert nothing_written()


def test_it_refuses_when_the_window_has_closed(offers):
    e = refusal(joiner(), now=offers.window.closes_at)

    assert "window_closed" == e.code
    assert "Registration as a registered supporter closed on" in e.message
    assert nothing_written()


def test_it_lets_members_join_at_any_time(offers):
    result = membership_apply(data=joiner(category="member", rate="standard"),
                              now=offers.window.closes_at + dt.timedelta(days=300))

    assert (True, None) == (result.created, result.membership.window)


def test_it_refuses_someone_too_young_for_the_category(offers):
    today = timezone.localdate()
    # Day 28 at most: 29 February has no day 17 years earlier.
    e = refusal(joiner(date_of_birth=dt.date(today.year - 17, today.month, min(today.day, 28))))

    assert ("date_of_birth", "too_young") == (e.field, e.code)
    assert "You must be 18 or older to join as a registered supporter." in e.message
    assert nothing_written()


@pytest.mark.parametrize("born", [dt.date(1880, 1, 1), dt.date(2999, 1, 1)])
def test_it_refuses_an_impossible_date_of_birth(offers, born):
    e = refusal(joiner(date_of_birth=born))

    assert ("date_of_birth", "invalid_date_of_birth") == (e.field, e.code)
    assert nothing_written()


@pytest.mark.parametrize("field,value,code", [
    ("first_name", "A" * 101, "too_long"),
    ("last_name", "", "required"),
    ("address", "x" * 301, "too_long"),
    ("first_name", "Ad\ufffda", "unreadable"),
    ("last_name", "Jo\x00iner", "unreadable"),
    ("email", "not-an-address", "invalid_email"),
    ("email", "a" * 250 + "@example.org", "too_long"),
])
def test_it_refuses_bad_text_naming_the_field(offers, field, value, code):
    e = refusal(joiner(**{field: value}))

    assert (field, code) == (e.field, e.code)
    assert nothing_written()


@pytest.mark.parametrize("changes,field", [
    ({"category": "grandee"}, "category"),
    ({"category": "member"}, "rate"),
    ({"category": "member", "rate": "platinum"}, "rate"),
    ({"category": "affiliated_supporter", "union": "nope"}, "union"),
    ({"category": "affiliated_supporter", "union": "unite"}, "union_number"),
    ({"consent": False}, "consent"),
])
def test_it_refuses_missing_choices_naming_the_field(offers, changes, field):
    e = refusal(joiner(**changes))

    assert field == e.field
    assert nothing_written()


def test_it_answers_a_known_address_neutrally_and_sends_a_notice(offers, outsider):
    known = joiner(email="Outsider@Example.org")

    result = membership_apply(data=known)

    assert (True, True) == (result.created, result.neutral)
    assert result.reference.startswith("RF-") and payment_of(result).reference.startswith("PAY-")
    assert "£25.00" == payment_instructions(payment_of(result))["amount"]
    assert (None, 0, 0) == (result.membership.pk, Membership.objects.count(),
                            Payment.objects.count())
    assert 1 == run_tasks()
    assert ["outsider@example.org"] == mail.outbox[0].to
    assert "already has a login" in mail.outbox[0].body


def test_it_sends_one_notice_an_hour_to_a_known_address(offers, outsider):
    membership_apply(data=joiner(email="outsider@example.org"))
    membership_apply(data=joiner(email="outsider@example.org", first_name="Bob"))

    # A job for each, as a new address would queue (the same work), but one e-mail.
    assert 2 == run_tasks()
    assert [["outsider@example.org"]] == [m.to for m in mail.outbox]


def test_it_still_refuses_bad_input_from_a_known_address(offers, outsider):
    e = refusal(joiner(email="outsider@example.org", postcode="e4 9zz"))

    assert "unknown_postcode" == e.code


def test_it_returns_the_first_application_for_a_retried_key(offers):
    first = membership_apply(data=joiner(), idempotency_key="k1")

    again = membership_apply(data=joiner(), idempotency_key="k1")

    assert (False, first.membership.pk, payment_of(first).pk) == (
        again.created, again.membership.pk, payment_of(again).pk)
    assert (1, 1, 1) == (Membership.objects.count(), Payment.objects.count(),
                         Membership.objects.filter(confirmation_due=True).count())


def test_it_refuses_a_key_reused_with_other_details(offers):
    membership_apply(data=joiner(), idempotency_key="k1")

    with pytest.raises(Conflict) as e:
        membership_apply(data=joiner(first_name="Bob", email="bob@example.org"),
                         idempotency_key="k1")

    assert ("idempotency_key_reused", 409) == (e.value.code, e.value.http_status)
    assert 1 == Membership.objects.count()


def test_it_replays_the_neutral_answer_for_a_retried_key(offers, outsider):
    first = membership_apply(data=joiner(email="outsider@example.org"), idempotency_key="k2")

    again = membership_apply(data=joiner(email="outsider@example.org"), idempotency_key="k2")

    assert (first.reference, payment_of(first).reference) == (again.reference,
                                                          payment_of(again).reference)
    with pytest.raises(Conflict):
        membership_apply(data=joiner(email="outsider@example.org", first_name="X"),
                         idempotency_key="k2")


def test_it_writes_nothing_and_queues_nothing_when_the_transaction_rolls_back(offers):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        membership_apply(data=joiner())
        assert 1 == Membership.objects.filter(confirmation_due=True).count()
        raise Boom

    assert nothing_written()


def test_it_uses_few_queries(offers):
    membership_apply(data=joiner(email="warm@example.org"))  # fills the cache

    with CaptureQueriesContext(connection) as queries:
        membership_apply(data=joiner(), idempotency_key="k3")

    assert len(queries) <= 10, [q["sql"] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_it_sends_no_separate_connection_check(offers, monkeypatch):
    # Its first read checks the kept connection (core.db.first_read): one round trip less.
    new_request()
    checks = count_health_checks(monkeypatch)

    membership_apply(data=joiner(), idempotency_key="first-read")

    assert ([], 1) == (checks, Membership.objects.count())


def test_it_draws_again_when_a_random_reference_repeats(offers, monkeypatch):
    from rankfile.membership.services import joining

    taken = membership_apply(data=joiner(email="first@example.org")).reference
    draws = iter([taken, "PAY-AAAAAAAA", "RF-BBBBBBBB", "PAY-CCCCCCCC"])
    monkeypatch.setattr(joining, "new_reference", lambda prefix: next(draws))

    result = membership_apply(data=joiner())

    assert ("RF-BBBBBBBB", "PAY-CCCCCCCC") == (result.reference, payment_of(result).reference)
    assert (2, 2) == (Membership.objects.count(), Payment.objects.count())


# Outside a test transaction, as the joining page and the API call it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["fast", "orm"])
def test_it_reports_a_broken_write_as_what_it_is(offers, monkeypatch, settings, path):
    from django.db import IntegrityError

    from rankfile.membership.services import joining

    settings.JOIN_WRITE_PATH = path
    attempts = []

    # A fee below zero breaks the CHECK constraint of the membership's fee.
    monkeypatch.setattr(joining.CategoryOffer, "fee_pence", lambda self, now, rate=None: -1)
    draw = joining._References.draw

    def counted(fee_pence):
        attempts.append(fee_pence)
        return draw(fee_pence)

    monkeypatch.setattr(joining._References, "draw", staticmethod(counted))

    with pytest.raises(IntegrityError) as e:
        membership_apply(data=joiner(), idempotency_key="k1")

    assert 1 == len(attempts)  # not taken for a repeated reference and tried again
    assert any("not a reused Idempotency-Key" in note for note in e.value.__notes__)
    assert nothing_written()


def test_a_known_address_draws_again_when_a_reference_repeats(offers, monkeypatch):
    from rankfile.membership.models import RepeatApplication
    from rankfile.membership.services import joining

    User.objects.create_user(email="ada@example.org")
    taken = membership_apply(data=joiner(), idempotency_key="k1").reference
    draws = iter([taken, "PAY-AAAAAAAA", "RF-BBBBBBBB", "PAY-CCCCCCCC"])
    monkeypatch.setattr(joining, "new_reference", lambda prefix: next(draws))

    result = membership_apply(data=joiner(), idempotency_key="k2")

    assert ("RF-BBBBBBBB", True) == (result.reference, result.neutral)
    assert 2 == RepeatApplication.objects.count()
