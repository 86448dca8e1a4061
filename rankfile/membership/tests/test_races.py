"""The concurrency claims of the membership services, with the interleaving forced.

Each test holds the first request's transaction open until the second has
run into it (see ``race.py``), on PostgreSQL; SQLite admits one writer at a
time, so there is nothing to force there.
"""

from __future__ import annotations

import pytest

from rankfile.core.errors import Refusal
from rankfile.membership.models import Membership, Payment, StatusChange
from rankfile.membership.services.changes import membership_resign
from rankfile.membership.services.joining import membership_apply
from rankfile.membership.services.payments import payment_record
from rankfile.membership.services.status import membership_change_status
from rankfile.membership.tests.factories import make_member_in
from rankfile.membership.tests.join_helpers import joiner, make_offers
from rankfile.membership.tests.race import needs_postgresql, race

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True)]

S = Membership.Status


def history(membership: Membership) -> list[tuple[str, str]]:
    return list(StatusChange.objects.filter(membership=membership).order_by("at", "pk")
                .values_list("from_status", "to_status"))


def test_it_answers_two_identical_retries_of_a_join_with_one_application(area):
    make_offers()

    def apply():
        return membership_apply(data=joiner(), idempotency_key="retry-1")

    first, second = race(apply, apply)

    assert (None, None) == (first.error, second.error)
    assert (True, False) == (first.result.created, second.result.created)
    assert first.result.reference == second.result.reference
    assert (1, 1) == (Membership.objects.count(), Payment.objects.count())


def test_it_records_a_cheque_once_when_two_staff_record_it_at_once(area, staff):
    make_offers()
    payment = membership_apply(data=joiner()).payment
    assert payment is not None

    def record():
        return payment_record(payment=payment, method="cheque", amount_pence=2500,
                              recorded_by=staff, note="Cheque 100234")

    first, second = race(record, record)

    assert first.error is None
    assert isinstance(second.error, Refusal)
    assert "already_paid" == second.error.code
    assert first.result.receipt_number in second.error.message
    assert 1 == Payment.objects.filter(status=Payment.Status.PAID).count()
    membership = Membership.objects.get()
    assert [("", S.APPLIED), (S.APPLIED, S.ACTIVE)] == history(membership)


def test_it_takes_a_suspension_and_a_resignation_at_once_one_after_the_other(area, staff):
    member = make_member_in(area)

    first, second = race(
        lambda: membership_change_status(membership=Membership.objects.get(pk=member.pk),
                                         status=S.SUSPENDED, reason="Conduct", by=staff),
        lambda: membership_resign(membership=Membership.objects.get(pk=member.pk),
                                  by=member.user, reason="Moving abroad"),
    )

    assert (None, None) == (first.error, second.error)
    assert S.RESIGNED == Membership.objects.get().status
    assert [(S.APPLIED, S.ACTIVE), (S.ACTIVE, S.SUSPENDED), (S.SUSPENDED, S.RESIGNED)] == (
        history(member))


def test_it_refuses_a_suspension_that_arrives_during_a_resignation(area, staff):
    member = make_member_in(area)

    first, second = race(
        lambda: membership_resign(membership=Membership.objects.get(pk=member.pk),
                                  by=member.user, reason="Moving abroad"),
        lambda: membership_change_status(membership=Membership.objects.get(pk=member.pk),
                                         status=S.SUSPENDED, reason="Conduct", by=staff),
    )

    assert first.error is None
    assert isinstance(second.error, Refusal)
    assert "invalid_transition" == second.error.code
    assert [(S.APPLIED, S.ACTIVE), (S.ACTIVE, S.RESIGNED)] == history(member)
