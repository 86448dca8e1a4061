"""Staff erase a guest who has no login, by the address they signed up with."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.pseudonyms import address_pseudonym, pseudonym
from rankfile.meetings.models import Attendance, Guest, Meeting
from rankfile.meetings.services.public import guest_sign_up
from rankfile.outbox.models import OutboxMessage
from rankfile.privacy.models import Erasure
from rankfile.privacy.services import guest_erase

ADDRESS = "Gina.Guest@example.net"


def _rally(area, title):
    now = timezone.now()
    return Meeting.objects.create(body=area.branch, title=title, called_at=now,
                                  starts_at=now + dt.timedelta(days=5), is_public=True)


@pytest.fixture
def gina(area):
    """Gina signed up for two rallies (once in capitals), was checked in at one; Hal for one."""
    first, second = _rally(area, "Rally one"), _rally(area, "Rally two")
    guest = guest_sign_up(meeting=first, name="Gina Guest", email=ADDRESS, consent="yes")
    guest_sign_up(meeting=second, name="Gina G", email=ADDRESS.upper(), consent="no")
    guest_sign_up(meeting=first, name="Hal Other", email="hal@example.net", consent="yes")
    Attendance.objects.create(meeting=first, guest=guest, guest_name="Gina Guest",
                              standing=Attendance.Standing.GUEST, checked_in_at=timezone.now())
    return guest


def test_it_anonymises_every_sign_up_with_the_address_and_keeps_the_consent(gina, staff):
    consents = list(Guest.objects.order_by("pk").values_list(
        "meeting_id", "consent_to_contact", "consent_wording", "signed_up_at"))

    erasure = guest_erase(email=" gina.guest@EXAMPLE.net ", by=staff, reason="Asked by phone")

    name = address_pseudonym(ADDRESS)
    mine = Guest.objects.exclude(email="hal@example.net")
    assert {("Former guest", f"{name.lower()}@erased.invalid")} == set(
        mine.values_list("name", "email"))
    assert consents == list(Guest.objects.order_by("pk").values_list(
        "meeting_id", "consent_to_contact", "consent_wording", "signed_up_at"))
    assert "Hal Other" == Guest.objects.get(email="hal@example.net").name
    assert "Former guest" == Attendance.objects.get().guest_name
    assert not OutboxMessage.objects.filter(to__iexact=ADDRESS).exists()
    assert not OutboxMessage.objects.filter(body__contains="Gina").exists()
    assert 1 == OutboxMessage.objects.filter(to="hal@example.net").count()
    assert (Erasure.Status.DONE, name, None, pseudonym(staff.pk)) == (
        erasure.status, erasure.pseudonym, erasure.user, erasure.requested_by)
    assert {"guest_sign_ups": 2, "guest_check_ins": 1, "emails": 2} == erasure.summary
    assert "Gina" not in str(Erasure.objects.values().get())


def test_the_guests_pseudonym_is_not_a_persons():
    assert address_pseudonym(ADDRESS).startswith("G-")
    assert address_pseudonym(ADDRESS) == address_pseudonym(ADDRESS.upper())


def test_it_refuses_an_address_of_a_login(gina, staff, member):
    with pytest.raises(Refusal) as e:
        guest_erase(email=member.email, by=staff, reason="Asked")

    assert ("address_of_a_login", "email") == (e.value.code, e.value.field)
    assert 0 == Erasure.objects.count()


@pytest.mark.parametrize("email", ["nobody@example.net", "not an address", ""])
def test_it_refuses_an_address_nobody_signed_up_with(gina, staff, email):
    with pytest.raises(Refusal) as e:
        guest_erase(email=email, by=staff, reason="Asked")

    assert "email" == e.value.field
    assert 0 == Erasure.objects.count()
    assert "Gina Guest" == Guest.objects.get(pk=gina.pk).name


def test_it_refuses_a_second_erasure_and_erases_a_later_sign_up(gina, staff, area):
    guest_erase(email=ADDRESS, by=staff, reason="Asked")
    with pytest.raises(Refusal) as e:
        guest_erase(email=ADDRESS, by=staff, reason="Asked again")
    assert "already_erased" == e.value.code

    guest_sign_up(meeting=_rally(area, "Rally three"), name="Gina Again", email=ADDRESS,
                  consent="yes")
    erasure = guest_erase(email=ADDRESS, by=staff, reason="Asked again")

    assert not Guest.objects.filter(name__startswith="Gina").exists()
    assert 1 == Erasure.objects.count()
    assert 3 == erasure.summary["guest_sign_ups"]


@pytest.mark.parametrize("persona", ["auditor", "secretary", "member"])
def test_only_staff_erase_a_guest(request, gina, persona):
    who = request.getfixturevalue(persona)

    with pytest.raises(PermissionRefused):
        guest_erase(email=ADDRESS, by=who, reason="Asked")

    assert 0 == Erasure.objects.count()


@pytest.mark.parametrize("reason", ["", "  ", "x" * 301, "a\x00b"])
def test_it_refuses_without_a_proper_reason(gina, staff, reason):
    with pytest.raises(Refusal):
        guest_erase(email=ADDRESS, by=staff, reason=reason)

    assert "Gina Guest" == Guest.objects.get(pk=gina.pk).name


# -- the page ---------------------------------------------------------------------------------


def test_staff_erase_a_guest_from_the_page(client, gina, staff):
    client.force_login(staff)

    response = client.post(reverse("privacy:staff_guest_erasure"),
                           {"guest-email": ADDRESS, "guest-reason": "Asked by letter"},
                           follow=True)

    assert 200 == response.status_code
    assert address_pseudonym(ADDRESS) in response.text
    assert "Gina" not in response.text
    assert not Guest.objects.filter(name__startswith="Gina").exists()


def test_the_page_shows_a_refusal_beside_the_address(client, gina, staff):
    client.force_login(staff)

    response = client.post(reverse("privacy:staff_guest_erasure"),
                           {"guest-email": "nobody@example.net", "guest-reason": "Asked"})

    assert 400 == response.status_code
    assert "No guest signed up with that address" in response.text
    assert 0 == Erasure.objects.count()


def test_an_auditor_cannot_erase_a_guest_from_the_page(client, gina, auditor):
    client.force_login(auditor)

    response = client.post(reverse("privacy:staff_guest_erasure"),
                           {"guest-email": ADDRESS, "guest-reason": "Asked"})

    assert 403 == response.status_code
    assert 0 == Erasure.objects.count()


def test_the_guest_form_takes_only_post(client, staff):
    client.force_login(staff)

    assert 405 == client.get(reverse("privacy:staff_guest_erasure")).status_code


def test_the_staff_page_shows_both_forms(client, staff):
    client.force_login(staff)

    response = client.get(reverse("privacy:staff_erasures"))

    assert 200 == response.status_code
    assert "Erase a guest" in response.text and 'name="guest-email"' in response.text
