import datetime as dt
import io

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from rankfile.accounts.access import admin_rights
from rankfile.accounts.models import User
from rankfile.accounts.roles import has_role
from rankfile.branches.models import Body, Postcode, Ward
from rankfile.demo import PASSWORD, demo_load
from rankfile.demo.membership import LEADERSHIP_WINDOW
from rankfile.membership.models import (
    AffiliatedUnion,
    Category,
    JoiningWindow,
    Membership,
    Payment,
    StatusChange,
)

S = Membership.Status


def snapshot() -> tuple[int, ...]:
    return (Body.objects.count(), Ward.objects.count(), Postcode.objects.count(),
            User.objects.count(), Membership.objects.count(), StatusChange.objects.count(),
            Payment.objects.count())


def test_it_loads_the_demo_once_and_only_moves_the_window_after(db, capsys):
    call_command("load_demo", "--people", "300")

    out = capsys.readouterr().out
    assert "staff@demo.rankfile.org" in out and PASSWORD in out
    assert (3, 7, 20, 3704) == (
        Body.objects.filter(kind=Body.Kind.CONSTITUENCY).count(),
        Body.objects.filter(kind=Body.Kind.BRANCH).count(), Ward.objects.count(),
        Postcode.objects.count())
    assert "Rank & File Demo Party" == Body.objects.get(kind=Body.Kind.ORGANISATION).name
    assert {"unite", "unison", "gmb"} <= set(AffiliatedUnion.objects.values_list("code",
                                                                                flat=True))
    member = Category.objects.get(kind=Category.Kind.MEMBER)
    assert (14, True, True) == (member.minimum_age, member.may_vote_in_meetings,
                                member.may_hold_office)
    assert {"standard": 450, "reduced": 100} == dict(member.rates.values_list("code",
                                                                               "amount_pence"))
    assert Category.objects.get(kind=Category.Kind.REGISTERED_SUPPORTER).needs_window

    # 300 synthetic people plus the secretary and the member logins.
    people = Membership.objects.exclude(user__email__endswith="@demo.rankfile.org")
    assert 300 == people.count()
    assert not people.filter(branch=None).exists()
    statuses = set(people.values_list("status", flat=True))
    assert {S.ACTIVE, S.APPLIED, S.IN_ARREARS, S.LAPSED, S.RESIGNED} <= statuses
    assert 3 == len(set(people.values_list("category", flat=True)))
    assert not people.exclude(history__isnull=False).exists()
    unpaid = people.filter(status=S.APPLIED, fee_pence__gt=0)
    assert unpaid.exists()
    assert not unpaid.exclude(payments__status=Payment.Status.PENDING).exists()
    assert not people.filter(status=S.ACTIVE, fee_pence__gt=0).exclude(
        payments__status=Payment.Status.PAID).exists()
    now = timezone.now()
    window = JoiningWindow.objects.get(name=LEADERSHIP_WINDOW)
    assert window.opens_at < now < window.closes_at
    assert people.filter(window=window, applied_at__gte=window.opens_at).count() > 20

    staff = authenticate(email="staff@demo.rankfile.org", password=PASSWORD)
    secretary = authenticate(email="secretary.chingford@demo.rankfile.org", password=PASSWORD)
    auditor = authenticate(email="auditor@demo.rankfile.org", password=PASSWORD)
    assert (True, True) == admin_rights(staff)
    assert (True, False) == admin_rights(auditor)
    assert (False, False) == admin_rights(secretary)
    assert has_role(staff, "staff", Body.objects.get(code="WF-LEY"))
    assert has_role(secretary, "secretary", Body.objects.get(code="WF-CHN"))
    assert not has_role(secretary, "secretary", Body.objects.get(code="WF-LEY"))
    login = Membership.objects.get(user__email="member@demo.rankfile.org")
    assert login.branch is not None
    assert (S.ACTIVE, "WF-CHN") == (login.status, login.branch.code)

    before = snapshot()
    later = now + dt.timedelta(days=3)
    report = demo_load(people=300, out=lambda line: None, now=later)

    assert [] == report.loaded
    assert before == snapshot()
    window.refresh_from_db()
    assert (later - dt.timedelta(hours=20), later + dt.timedelta(hours=28)) == (
        window.opens_at, window.closes_at)


def test_the_demo_has_applications_to_vet_duplicates_and_a_union_list(db):
    from rankfile.vetting.models import DuplicatePair, ExclusionEntry, UnionListEntry

    call_command("load_demo", "--people", "300", stdout=io.StringIO())

    waiting = Membership.objects.filter(vetting=Membership.Vetting.PENDING,
                                        status=Membership.Status.APPLIED)
    assert 0 < waiting.count() <= 60
    assert 2 == DuplicatePair.objects.filter(status="open").count()
    assert UnionListEntry.objects.filter(union__code="unite").exists()
    assert 2 == ExclusionEntry.objects.count()
    assert not Membership.objects.filter(vetting=Membership.Vetting.PENDING).exclude(
        status=Membership.Status.APPLIED).exists()


def test_it_gives_the_demo_officers_two_factor_ready_to_use(db, client, capsys):
    """The printed secret logs the demo's staff in with the app's code."""
    from rankfile.demo.logins import TOTP_SECRET
    from rankfile.demo.personas import totp_code

    call_command("load_demo", "--people", "0")
    out = capsys.readouterr().out

    assert TOTP_SECRET in out
    r = client.post("/accounts/login/", {"login": "staff@demo.rankfile.org",
                                         "password": PASSWORD})
    assert "/accounts/2fa/authenticate/" == r.url
    client.post(r.url, {"code": totp_code(TOTP_SECRET)})
    assert 200 == client.get("/officers/members/").status_code
