"""The demo's vetting: past decisions, a few applications waiting, two likely
duplicates, an affiliated union's list and a short exclusion list.

The demo's people were made before vetting existed: everyone beyond an
application is marked approved; of the applications, a few dozen are left
waiting (the rest approved), so the queue is a morning's work, not 500 rows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.core.actors import System
from rankfile.membership.models import AffiliatedUnion, Category, Membership, StatusChange
from rankfile.vetting.models import ExclusionEntry, UnionListEntry
from rankfile.vetting.services import exclusion_import, union_list_import, vetting_check

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

WAITING = 40
# Like the logins: the demo's own people, apart from the synthetic crowd.
DOMAIN = "demo.rankfile.org"
TWIN_EMAILS = (f"priya.shah.twin1@{DOMAIN}", f"p.shah.twin2@{DOMAIN}",
               f"jonathan.okoro.twin3@{DOMAIN}", f"jon.okoro.twin4@{DOMAIN}")
# Two likely duplicates: swapped names in other case; a typo in the first name.
TWINS = ((TWIN_EMAILS[0], "Priya", "Shah", 400, dt.date(1984, 7, 9), True),
         (TWIN_EMAILS[1], "SHAH", "priya", 1, dt.date(1984, 7, 9), False),
         (TWIN_EMAILS[2], "Jonathan", "Okoro", 3, dt.date(1979, 2, 11), False),
         (TWIN_EMAILS[3], "Jonathon", "Okoro", 1, dt.date(1979, 2, 11), False))
EXCLUSIONS = (b"name,address,postcode,note\n"
              b"Rhys Rival,,E4 6AA,Candidate of another party in the 2014 council elections\n"
              b"Karen Vexed,,,Known for abuse of members online\n")
DEMO = System("load_demo")


def is_loaded() -> bool:
    return User.objects.filter(email=TWIN_EMAILS[0]).exists()


def load(ctx: DemoContext) -> None:
    S, V = Membership.Status, Membership.Vetting
    Membership.objects.exclude(status=S.APPLIED).update(vetting=V.APPROVED)
    waiting = list(Membership.objects.filter(status=S.APPLIED, vetting=V.PENDING)
                   .order_by("applied_at").values_list("pk", flat=True))
    keep = set(ctx.rng.sample(waiting, min(WAITING, len(waiting))))
    # Unite's applicants stay waiting, to be confirmed (or not) by its list below.
    keep |= set(Membership.objects.filter(status=S.APPLIED, union__code="unite")
                .values_list("pk", flat=True))
    Membership.objects.filter(pk__in=set(waiting) - keep).update(vetting=V.APPROVED)

    template = Membership.objects.filter(status=S.ACTIVE, branch__isnull=False).order_by("pk").first()
    supporter = Category.objects.get(kind=Category.Kind.REGISTERED_SUPPORTER)
    if template is not None:
        for n, (email, first, last, days, born, active) in enumerate(TWINS):
            user = User.objects.create_user(email, None, first_name=first, last_name=last)
            at = ctx.now - dt.timedelta(days=days)
            m = Membership.objects.create(
                reference=f"RF-TWIN000{n + 1}", user=user, category=supporter,
                status=S.ACTIVE if active else S.APPLIED,
                vetting=V.APPROVED if active else V.PENDING, first_name=first, last_name=last,
                date_of_birth=born, postcode=template.postcode,
                ward=template.ward, branch=template.branch, constituency=template.constituency,
                applied_at=at, joined_on=timezone.localdate(at) if active else None,
                good_standing_since=timezone.localdate(at) if active else None,
                consent_version="2026-11", consent_at=at)
            StatusChange.objects.create(membership=m, to_status=S.APPLIED, at=at,
                                        reason="Applied online")
            if active:
                StatusChange.objects.create(membership=m, from_status=S.APPLIED,
                                            to_status=S.ACTIVE, at=at, reason="Fee paid")

    if not ExclusionEntry.objects.exists():
        exclusion_import(by=DEMO, data=EXCLUSIONS, now=ctx.now)
    unite = AffiliatedUnion.objects.filter(code="unite").first()
    if unite is not None and not UnionListEntry.objects.filter(union=unite).exists():
        listed = (Membership.objects.filter(union=unite).exclude(union_number="")
                  .order_by("pk").values_list("union_number", "last_name"))
        rows = [f"{number},{last}" for number, last in listed]
        # The list's last applicant is written under another surname: a mismatch to see.
        if rows:
            rows[-1] = rows[-1].split(",")[0] + ",Someone-Else"
        rows += [f"{90_000_000 + n},Listed" for n in range(20)]
        union_list_import(by=DEMO, union=unite, data=("number,surname\n" + "\n".join(rows))
                          .encode(), now=ctx.now)
    report = vetting_check(by=DEMO, now=ctx.now)
    confirmed = Membership.objects.filter(union=unite, union_verified_at__isnull=False).count()
    ctx.out(f"  {report.checked} applications waiting for vetting, {report.duplicate_pairs} "
            f"possible duplicates, {confirmed} confirmed by Unite's list, "
            f"{ExclusionEntry.objects.count()} people on the exclusion list")
