"""A member's timeline on the officers' pages shows the vetting decisions, without the
internal note (a branch secretary reads that page too)."""

from django.urls import reverse

from rankfile.membership.selectors import member_timeline
from rankfile.vetting import services
from rankfile.vetting.models import ReasonCode
from rankfile.vetting.tests.helpers import applicant


def test_the_timeline_lists_a_rejection_with_its_reason_and_not_its_note(area, staff):
    m = applicant(area)
    services.vetting_reject(membership=m, by=staff, reason_code=ReasonCode.ABUSE,
                            note="Seen shouting at the count")

    [event] = [e for e in member_timeline(m) if e.kind == "vetting"]

    assert event.text.startswith("Vetting: Rejected (")
    assert "shouting" not in event.text
    assert staff.email == event.by


def test_the_officers_page_shows_it(client, area, staff, secretary):
    m = applicant(area)
    services.vetting_approve(membership=m, by=staff)
    client.force_login(secretary)

    page = client.get(reverse("me:officers_member", args=[m.reference])).content.decode()

    assert "Vetting: Approved" in page
