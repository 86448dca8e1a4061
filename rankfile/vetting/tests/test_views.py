"""The vetting pages through the test client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rankfile.membership.models import Membership
from rankfile.vetting import services
from rankfile.vetting.models import Appeal, Decision, ReasonCode
from rankfile.vetting.tests.helpers import applicant, second_staff


@pytest.mark.parametrize("name", ["vetting:bulk", "vetting:check"])
def test_post_only_pages_answer_405_to_get(client, staff, name):
    client.force_login(staff)

    assert 405 == client.get(reverse(name)).status_code


def test_bulk_asks_for_confirmation_then_decides_each(client, area, staff):
    a, b = applicant(area, first_name="A"), applicant(area, first_name="B")
    client.force_login(staff)
    form = {"reference": [a.reference, b.reference], "bulk-outcome": "rejected",
            "bulk-reason_code": ReasonCode.IDENTITY, "bulk-note": "Batch 3"}

    confirm = client.post(reverse("vetting:bulk"), form)

    assert 200 == confirm.status_code and 0 == Decision.objects.count()
    assert "Reject 2 applications?" in confirm.content.decode()
    done = client.post(reverse("vetting:bulk"), {
        "bulk-outcome": "rejected", "bulk-reason_code": ReasonCode.IDENTITY,
        "bulk-note": "Batch 3", "bulk-references": f"{a.reference},{b.reference}",
        "bulk-confirm": "yes"})
    assert 302 == done.status_code
    assert 2 == Decision.objects.filter(bulk=True, note="Batch 3").count()


def test_the_queue_shows_the_applications_and_filters(client, area, staff):
    a = applicant(area, first_name="Queued")
    client.force_login(staff)

    page = client.get(reverse("vetting:queue"), {"category": "member"}).content.decode()
    everyone = client.get(reverse("vetting:queue")).content.decode()

    assert a.reference not in page and a.reference in everyone


def test_a_rejection_without_a_reason_shows_the_error_and_changes_nothing(client, area, staff):
    m = applicant(area)
    client.force_login(staff)

    answer = client.post(reverse("vetting:decide", args=[m.reference]), {"outcome": "rejected"})

    assert 400 == answer.status_code
    assert "Choose the reason for the rejection." in answer.content.decode()
    assert Membership.Vetting.PENDING == Membership.objects.get(pk=m.pk).vetting


def test_the_rejected_applicant_reads_the_reason_not_the_note_and_appeals(client, area, staff):
    m = applicant(area, email="ann@example.org")
    services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.NOT_ELIGIBLE,
                            note="INTERNAL ONLY")
    client.force_login(m.user)

    page = client.get(reverse("vetting:me")).content.decode()
    sent = client.post(reverse("vetting:me"), {"reference": m.reference, "statement": "I am 19"})

    assert "You do not meet the conditions" in page and "INTERNAL ONLY" not in page
    assert 302 == sent.status_code
    assert "I am 19" == Appeal.objects.get().statement


def test_the_appeals_page_tells_the_rejecter_someone_else_decides(client, area, staff):
    m = applicant(area)
    services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.ABUSE)
    appeal = services.appeal_lodge(membership=m, by=m.user, statement="Please")
    client.force_login(staff)

    page = client.get(reverse("vetting:appeals")).content.decode()
    refused = client.post(reverse("vetting:appeal_decide", args=[appeal.pk]),
                          {f"appeal-{appeal.pk}-outcome": "uphold"}, follow=True)
    client.force_login(second_staff(area))
    client.post(reverse("vetting:appeal_decide", args=[appeal.pk]),
                {f"appeal-{appeal.pk}-outcome": "uphold"})

    assert "another staff member decides the appeal" in page
    assert "another staff member must decide the appeal" in refused.content.decode()
    assert Appeal.Outcome.UPHELD == Appeal.objects.get().outcome


def test_an_upload_with_bad_rows_lists_each_row(client, staff):
    client.force_login(staff)
    data = SimpleUploadedFile("list.csv", b"name,postcode\n,E4 7AA\nA Person,E4 7AA\n")

    answer = client.post(reverse("vetting:exclusions"), {"file": data})

    assert 400 == answer.status_code
    assert "Row 2, name: is empty: give the person&#x27;s name" in answer.content.decode()
