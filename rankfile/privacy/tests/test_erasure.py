"""Staff erase a person: personal data goes, counts and decisions stay, unlinked."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.pseudonyms import pseudonym
from rankfile.mailings.models import MailPreferences
from rankfile.mailings.services import preferences_change
from rankfile.membership.models import Membership, Payment, StatusChange
from rankfile.membership.services.changes import membership_resign
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.services import outbox_enqueue
from rankfile.privacy.holds import register_erasure_hold, unregister_erasure_hold
from rankfile.privacy.models import Erasure
from rankfile.privacy.services import daily_run, person_erase

S = Membership.Status


@pytest.fixture
def person(area):
    m = make_member_in(area, first_name="Rosa", last_name="Parks", address="1 High St",
                       union_number="U123", request_fingerprint="abc")
    EmailAddress.objects.create(user=m.user, email=m.user.email, verified=True, primary=True)
    make_payment(m, note="Paid at the door", card_fingerprint="fp_1")
    preferences_change(user=m.user, by=m.user, branch_mail=False)
    membership_resign(membership=m, by=m.user, reason="Moving to Glasgow to be near my sister")
    outbox_enqueue(to=m.user.email, subject="Hello Rosa", body="Dear Rosa", purpose="t",
                   key="t:1")
    return m


@pytest.fixture
def roll_hold():
    """A fake hold, as the elections app will register: Rosa is on a roll under challenge."""
    held: set[int] = set()

    def hold(user):
        return ["On the electoral roll of the test ballot, open to challenge until "
                "1 December 2026."] if user.pk in held else []

    register_erasure_hold(hold)
    yield held
    unregister_erasure_hold(hold)


def test_it_removes_personal_data_and_keeps_the_counts(person, staff):
    user = person.user
    counted_before = Membership.objects.filter(branch=person.branch, status=S.RESIGNED).count()

    erasure = person_erase(user=user, by=staff, reason="Request by e-mail of 3 March")

    person.refresh_from_db()
    user.refresh_from_db()
    assert Erasure.Status.DONE == erasure.status
    assert ("Former member", "", "", "E4") == (
        person.first_name, person.last_name, person.address, person.postcode)
    assert (dt.date(1990, 1, 1), "", "") == (
        person.date_of_birth, person.union_number, person.request_fingerprint)
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@erased.invalid") and "rosa" not in user.email.lower()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not MailPreferences.objects.filter(user=user).exists()
    payment = Payment.objects.get(membership=person)
    assert ("", None, 2500) == (payment.note, payment.card_fingerprint, payment.amount_pence)
    reasons = list(StatusChange.objects.filter(membership=person).values_list("reason",
                                                                                flat=True))
    assert not any("Glasgow" in r for r in reasons)
    assert "Resigned by the member" in reasons
    message = OutboxMessage.objects.get(key="t:1")
    assert ("", "(erased)") == (message.body, message.subject)
    assert counted_before == Membership.objects.filter(branch=person.branch,
                                                       status=S.RESIGNED).count()


def test_the_trail_names_the_person_by_the_same_pseudonym_after_erasure(person, staff):
    before = pseudonym(person.user_id)

    erasure = person_erase(user=person.user, by=staff, reason="Asked")

    assert before == erasure.pseudonym == pseudonym(person.user_id)
    assert pseudonym(staff.pk) == erasure.requested_by
    assert "Rosa" not in str(Erasure.objects.values().get())


def test_it_refuses_a_second_erasure(person, staff):
    person_erase(user=person.user, by=staff, reason="Asked")

    with pytest.raises(Refusal) as e:
        person_erase(user=person.user, by=staff, reason="Asked again")

    assert "already_erased" == e.value.code
    assert 1 == Erasure.objects.count()


def test_it_defers_while_a_roll_can_be_challenged_and_says_why(person, staff, roll_hold):
    roll_hold.add(person.user_id)

    erasure = person_erase(user=person.user, by=staff, reason="Asked")

    person.refresh_from_db()
    assert Erasure.Status.DEFERRED == erasure.status
    assert ["On the electoral roll of the test ballot, open to challenge until "
            "1 December 2026."] == erasure.holds
    assert "Rosa" == person.first_name


def test_the_daily_job_finishes_a_deferred_erasure_once_the_hold_ends(person, staff,
                                                                      roll_hold):
    roll_hold.add(person.user_id)
    person_erase(user=person.user, by=staff, reason="Asked")
    daily_run()
    assert Erasure.Status.DEFERRED == Erasure.objects.get().status

    roll_hold.clear()
    daily_run()
    daily_run()

    person.refresh_from_db()
    assert Erasure.Status.DONE == Erasure.objects.get().status
    assert "Former member" == person.first_name


@pytest.mark.parametrize("persona", ["auditor", "secretary", "member"])
def test_only_staff_erase(request, person, persona):
    who = request.getfixturevalue(persona)

    with pytest.raises(PermissionRefused):
        person_erase(user=person.user, by=who, reason="Asked")

    assert 0 == Erasure.objects.count()


@pytest.mark.parametrize("reason", ["", "  ", "x" * 301, "a\x00b"])
def test_it_refuses_without_a_proper_reason(person, staff, reason):
    with pytest.raises(Refusal):
        person_erase(user=person.user, by=staff, reason=reason)

    person.refresh_from_db()
    assert "Rosa" == person.first_name


def test_the_system_erases_nobody_on_its_own_without_a_request(person):
    daily_run()

    person.refresh_from_db()
    assert "Rosa" == person.first_name


def test_staff_erase_from_the_page_and_see_the_trail(client, person, staff):
    client.force_login(staff)

    response = client.post(reverse("privacy:staff_erasures"),
                           {"reference": person.reference, "reason": "Asked by letter"},
                           follow=True)

    assert 200 == response.status_code
    assert pseudonym(person.user_id) in response.text
    assert "Rosa" not in response.text


def test_an_auditor_reads_the_trail_but_cannot_erase(client, person, auditor):
    client.force_login(auditor)

    page = client.get(reverse("privacy:staff_erasures"))
    refused = client.post(reverse("privacy:staff_erasures"),
                          {"reference": person.reference, "reason": "Asked"})

    assert (200, 403) == (page.status_code, refused.status_code)
    assert 0 == Erasure.objects.count()


def test_the_page_answers_an_unknown_reference_as_a_form_error(client, staff, area):
    client.force_login(staff)

    response = client.post(reverse("privacy:staff_erasures"),
                           {"reference": "RF-NOSUCH\x00", "reason": "Asked"})

    assert 400 == response.status_code
    assert 0 == Erasure.objects.count()


def test_a_second_erasure_from_the_page_is_a_form_error(client, person, staff):
    client.force_login(staff)
    data = {"reference": person.reference, "reason": "Asked"}
    client.post(reverse("privacy:staff_erasures"), data)

    again = client.post(reverse("privacy:staff_erasures"), data)

    assert 400 == again.status_code
    assert "already erased" in again.text


def test_an_erased_person_is_sent_no_email_still_due(person, staff):
    from rankfile.membership.models import RepeatApplication
    from rankfile.membership.tasks import confirmations_queue, known_address_notices_queue

    Membership.objects.filter(pk=person.pk).update(confirmation_due=True)
    RepeatApplication.objects.create(reference="RF-REPEAT01", user=person.user,
                                     category=person.category, status=S.APPLIED,
                                     applied_at=person.applied_at, notice_due=True)
    queued = OutboxMessage.objects.count()

    person_erase(user=person.user, by=staff, reason="Request by e-mail of 3 March")

    assert (0, 0) == (confirmations_queue(), known_address_notices_queue())
    assert OutboxMessage.objects.count() <= queued
