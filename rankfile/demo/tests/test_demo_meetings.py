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
