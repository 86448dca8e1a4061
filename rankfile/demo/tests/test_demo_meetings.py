import datetime as dt

from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone

from rankfile.demo import PASSWORD, demo_load
from rankfile.meetings.models import Meeting, Motion


def test_the_demo_has_a_chingford_meeting_ahead_with_a_motion_and_an_emergency(db):
    demo_load(people=50, out=lambda _: None)
    demo_load(people=50, out=lambda _: None)

    meeting = Meeting.objects.get(body__code="WF-CHN")
    ahead = meeting.starts_at - timezone.now()
    assert dt.timedelta(days=3) < ahead < dt.timedelta(days=5)
    assert [False, True] == list(meeting.motions.values_list("is_emergency", flat=True))
    assert Motion.Status.AWAITING_ADMISSION == meeting.motions.get(is_emergency=True).status
    assert Meeting.objects.filter(body__kind="group").exists()
    for email in ("chair.chingford@demo.rankfile.org", "teller.chingford@demo.rankfile.org"):
        assert authenticate(email=email, password=PASSWORD) is not None
    member = Client()
    member.login(email="member@demo.rankfile.org", password=PASSWORD)
    assert meeting.get_absolute_url() in member.get("/meetings/").content.decode()
    teller = Client()
    teller.login(email="teller.chingford@demo.rankfile.org", password=PASSWORD)
    assert 200 == teller.get(f"/meetings/{meeting.pk}/door/").status_code
    # The branch's members reach the meeting from their members' area.
    assert meeting.get_absolute_url() in member.get("/me/").content.decode()


def test_the_demo_groups_meeting_is_public_with_a_guest_and_stays_ahead(db):
    demo_load(people=50, out=lambda _: None)
    rally = Meeting.objects.get(body__code="G-CHN-TENANTS")
    assert rally.is_public
    visitor = Client()
    assert 200 == visitor.get(f"/events/{rally.pk}/").status_code
    assert 200 == visitor.get(f"/events/{rally.pk}/calendar.ics").status_code
    assert rally.guests.filter(name="Priya Neighbour").exists()

    # Loaded again a week later: the meetings move a few days ahead again.
    demo_load(people=50, out=lambda _: None, now=timezone.now() + dt.timedelta(days=7))
    branch = Meeting.objects.get(body__code="WF-CHN")
    ahead = branch.starts_at - (timezone.now() + dt.timedelta(days=7))
    assert dt.timedelta(days=3) < ahead < dt.timedelta(days=5)
    rally.refresh_from_db()
    assert rally.starts_at > branch.starts_at
