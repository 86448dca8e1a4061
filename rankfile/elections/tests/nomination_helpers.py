"""Helpers for the nominations' tests: members to nominate and be nominated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from rankfile.elections.models import Election
from rankfile.elections.services.nominations import nomination_rules_set
from rankfile.elections.services.setup import election_create
from rankfile.elections.tests.helpers import SECTIONS
from rankfile.membership.models import Membership

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def make_people(area: Any, n: int, *, prefix: str = "m", branch: Any = None) -> list[Any]:
    """``n`` active members (Chingford unless ``branch``), named First<i> Surname<i>."""
    from rankfile.demo.personas import make_member

    return [make_member(f"{prefix}{i}@example.org", f"First{i}", f"Surname{i}",
                        branch or area.branch) for i in range(n)]


def ref(user: Any) -> str:
    return Membership.objects.get(user=user).reference


def make_chair(area: Any, by: Any) -> Election:
    """A one-seat election of the organisation taking nominations for a week from an hour
    ago: two members' nominations, or one branch's, make a candidate."""
    election = election_create(by=by, body=area.organisation, slug="chair", title="Chair",
                               seats=1, sections=SECTIONS)
    now = timezone.now()
    nomination_rules_set(by=by, election=election, opens_at=now - HOUR, closes_at=now + 7 * DAY,
                         members_number=2, branches_number=1)
    return election
