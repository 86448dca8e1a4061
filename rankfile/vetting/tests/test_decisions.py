"""Approving and rejecting applications, in bulk too, and appeals."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.demo.personas import give_role, make_area, make_staff, make_user
from rankfile.membership.models import Category, Membership, Payment, Refund
from rankfile.membership.tests.factories import make_payment
from rankfile.outbox.models import OutboxMessage
from rankfile.vetting import services
from rankfile.vetting.models import Appeal, Decision, ReasonCode
from rankfile.vetting.reasons import PLAIN_WORDS
from rankfile.vetting.tests.helpers import applicant, branch_staff, second_staff

V = Membership.Vetting


def test_it_approves_and_logs_who_and_when(area, staff):
    m = applicant(area)

    decision = services.vetting_approve(membership=m, by=staff, note="Checked")

    m.refresh_from_db()
    assert V.APPROVED == m.vetting
    assert (Decision.Outcome.APPROVED, staff, "Checked") == (decision.outcome, decision.by,
                                                             decision.note)


def test_it_tells_the_rejected_applicant_the_reason_in_plain_words_never_the_note(area, staff):
    m = applicant(area, email="ann@example.org")

    services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.OTHER_PARTY,
                            note="Stood for the Tories in 2015 - SECRET")

    mail = OutboxMessage.objects.get(purpose="vetting_rejected")
    assert "ann@example.org" == mail.to
    assert PLAIN_WORDS[ReasonCode.OTHER_PARTY] in " ".join(mail.body.split())
    assert "SECRET" not in mail.body and "Tories" not in mail.body
    assert V.REJECTED == Membership.objects.get(pk=m.pk).vetting


def test_it_refunds_what_a_rejected_applicant_paid(area, staff):
    m = applicant(area)
    make_payment(m, status="paid")

    services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.IDENTITY)

    assert [Refund.Status.SUCCEEDED] == list(Refund.objects.values_list("status", flat=True))
    assert Payment.Status.REFUNDED == Payment.objects.get(membership=m).status


def test_it_refuses_a_rejection_without_a_reason_and_changes_nothing(area, staff):
    m = applicant(area)

    with pytest.raises(Refusal) as e:
        services.vetting_reject(membership=m, by=staff, reason_code="")

    assert "reason_code" == e.value.field
    assert (V.PENDING, 0) == (Membership.objects.get(pk=m.pk).vetting, Decision.objects.count())


def test_it_refuses_a_note_with_control_characters(area, staff):
    m = applicant(area)

    with pytest.raises(Refusal, match="cannot be read"):
        services.vetting_approve(membership=m, by=staff, note="ok\x00\u202e")

    assert V.PENDING == Membership.objects.get(pk=m.pk).vetting


def test_it_refuses_deciding_twice(area, staff):
    m = applicant(area)
    services.vetting_approve(membership=m, by=staff)

    with pytest.raises(Conflict, match="approved in vetting already"):
        services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.ABUSE)

    assert 1 == Decision.objects.count()


def test_officers_who_are_not_staff_over_the_applicant_may_not_vet(area, secretary, auditor):
    m = applicant(area, other=True)
    hp_staff = branch_staff(area)
    mine = applicant(area, first_name="Hetty", other=True)

    for who in (secretary, auditor):
        with pytest.raises(PermissionRefused):
            services.vetting_approve(membership=m, by=who)
    services.vetting_approve(membership=mine, by=hp_staff)
    with pytest.raises(PermissionRefused):
        services.vetting_approve(membership=applicant(area, first_name="Chingford"), by=hp_staff)


def test_an_affiliated_supporter_is_approved_only_once_the_union_confirmed_them(area, staff):
    m = applicant(area, kind=Category.Kind.AFFILIATED_SUPPORTER)

    with pytest.raises(Refusal, match="union membership is not confirmed"):
        services.vetting_approve(membership=m, by=staff)


def test_the_queue_filters_by_category_place_flag_and_age(area, staff):
    old = applicant(area, first_name="Old")
    member = applicant(area, first_name="Mem", kind=Category.Kind.MEMBER, other=True)
    Membership.objects.filter(pk=member.pk).update(applied_at=timezone.now())
    services.vetting_approve(membership=applicant(area, first_name="Done"), by=staff)

    def refs(**f):
        return [m.reference for m in services.vetting_queue(by=staff,
                                                             filters=services.QueueFilter(**f))]

    assert [old.reference, member.reference] == refs()
    assert [member.reference] == refs(category="member")
    assert [member.reference] == refs(body=area.other_branch.pk)
    assert [old.reference] == refs(older_than_days=7)
    assert [] == refs(flag="any")


def test_bulk_decisions_are_logged_one_by_one_and_report_what_was_refused(area, staff):
    a, b = applicant(area, first_name="A"), applicant(area, first_name="B")
    decided = applicant(area, first_name="C")
    services.vetting_approve(membership=decided, by=staff)

    result = services.vetting_bulk(references=[a.reference, b.reference, decided.reference,
                                               "RF-NOSUCH"], by=staff, outcome="rejected",
                                   reason_code=ReasonCode.DUPLICATE)

    assert [a.reference, b.reference] == result.done
    assert [decided.reference, "RF-NOSUCH"] == [r for r, _ in result.refused]
    assert 2 == Decision.objects.filter(bulk=True, outcome="rejected").count()
    assert 2 == OutboxMessage.objects.filter(purpose="vetting_rejected").count()


# -- appeals ---------------------------------------------------------------------------------


@pytest.fixture
def rejected(area, staff):
    m = applicant(area, email="ann@example.org")
    services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.ABUSE)
    return m


def test_the_applicant_appeals_once(rejected):
    services.appeal_lodge(membership=rejected, by=rejected.user, statement="It was not me.")

    with pytest.raises(Conflict, match="appealed already"):
        services.appeal_lodge(membership=rejected, by=rejected.user, statement="Again")
    assert 1 == Appeal.objects.count()


def test_an_appeal_after_the_deadline_is_refused(rejected, settings):
    late = timezone.now() + dt.timedelta(days=settings.VETTING_APPEAL_DAYS, minutes=1)

    with pytest.raises(Refusal, match="The time to appeal ended") as e:
        services.appeal_lodge(membership=rejected, by=rejected.user, statement="Sorry",
                              now=late)

    assert "appeal_too_late" == e.value.code
    assert 0 == Appeal.objects.count()


def test_only_the_applicant_appeals(rejected, staff, outsider):
    for who in (staff, outsider):
        with pytest.raises(PermissionRefused):
            services.appeal_lodge(membership=rejected, by=who, statement="For them")


def test_the_person_who_rejected_may_not_decide_the_appeal(area, rejected, staff):
    appeal = services.appeal_lodge(membership=rejected, by=rejected.user, statement="Wrong")

    with pytest.raises(PermissionRefused, match="another staff member must decide") as e:
        services.appeal_decide(appeal=appeal, by=staff, uphold=True)

    assert "same_person" == e.value.code
    assert Appeal.Outcome.PENDING == Appeal.objects.get().outcome


def test_another_staff_member_upholds_the_appeal_and_the_application_is_approved(area,
                                                                                 rejected):
    appeal = services.appeal_lodge(membership=rejected, by=rejected.user, statement="Wrong")

    decision = services.appeal_decide(appeal=appeal, by=second_staff(area), uphold=True)

    assert decision.on_appeal and Decision.Outcome.APPROVED == decision.outcome
    assert V.APPROVED == Membership.objects.get(pk=rejected.pk).vetting
    assert 1 == OutboxMessage.objects.filter(purpose="vetting_appeal").count()
    with pytest.raises(Conflict):
        services.appeal_decide(appeal=appeal, by=make_staff_in(area), uphold=False)


def make_staff_in(area):
    user = make_user("staff3@example.org")
    give_role(user, "staff", area.organisation)
    return user


class TestWhoMayVet(TestCase):
    """Hypothesis over roles: only staff over the applicant's branch (or above) vet it."""

    @given(kind=st.sampled_from(["staff", "secretary", "auditor", "chair", "moderator"]),
           level=st.sampled_from(["organisation", "region", "constituency", "branch",
                                  "other_branch"]))
    def test_only_staff_over_the_branch_vet(self, kind, level):
        area = make_area()
        make_staff(area)
        m = applicant(area)
        who = make_user(f"{kind}.{level}@example.org")
        give_role(who, kind, getattr(area, level))
        expected = kind == "staff" and level != "other_branch"

        try:
            services.vetting_approve(membership=m, by=who)
        except PermissionRefused:
            allowed = False
        else:
            allowed = True

        assert expected == allowed
