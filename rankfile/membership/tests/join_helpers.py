"""Categories, windows and joiners for the joining and payment tests."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.core.tests.jobs import run_jobs
from rankfile.membership.models import (
    AffiliatedUnion,
    Category,
    JoiningWindow,
    Membership,
    Payment,
    Rate,
    RepeatApplication,
)
from rankfile.membership.services.joining import JoinData, JoinResult


@dataclass
class Offers:
    member: Category
    affiliated: Category
    supporter: Category
    standard: Rate
    reduced: Rate
    window: JoiningWindow
    union: AffiliatedUnion


def make_offers(now: dt.datetime | None = None) -> Offers:
    now = now or timezone.now()
    member = Category.objects.create(kind=Category.Kind.MEMBER, name="Member", minimum_age=14,
                                     may_vote_in_meetings=True, may_hold_office=True)
    affiliated = Category.objects.create(kind=Category.Kind.AFFILIATED_SUPPORTER,
                                         name="Affiliated supporter", minimum_age=16)
    supporter = Category.objects.create(kind=Category.Kind.REGISTERED_SUPPORTER,
                                        name="Registered supporter", minimum_age=18,
                                        needs_window=True)
    standard = Rate.objects.create(category=member, code="standard", name="Standard",
                                   amount_pence=450)
    reduced = Rate.objects.create(category=member, code="reduced", name="Reduced",
                                  amount_pence=150)
    window = JoiningWindow.objects.create(
        category=supporter, name="the summer 2016 window", fee_pence=2500,
        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=47))
    union = AffiliatedUnion.objects.create(code="unite", name="Unite")
    return Offers(member, affiliated, supporter, standard, reduced, window, union)


def payment_of(result: JoinResult) -> Payment:
    """The pending payment of an application that owes a fee."""
    assert result.payment is not None, "no payment: was a fee due?"
    return result.payment


def joiner(**changes: Any) -> JoinData:
    """A registered supporter in the Chingford branch's postcode, changed by ``changes``."""
    data = JoinData(
        category="registered_supporter", first_name="Ada", last_name="Joiner",
        email="ada@example.org", postcode="e47aa", date_of_birth=dt.date(1980, 5, 17),
        consent=True,
    )
    return replace(data, **changes)


def emails_due() -> int:
    """The sign-ups' e-mails the worker's sweeps have still to queue."""
    return (Membership.objects.filter(confirmation_due=True).count()
            + RepeatApplication.objects.filter(notice_due=True).count())


def run_tasks() -> int:
    """Run the jobs waiting in the database and the sweeps, as the worker would, and
    the e-mail deliveries they queue. Returns how many jobs and due e-mails were waiting."""
    waiting = DBTaskResult.objects.ready().count() + emails_due()
    run_jobs()
    return waiting


def fill_join_form(page: Any, **changes: str) -> None:
    """Fill the joining form in a Playwright page as Ada Joiner of E4 7AA would, and
    agree; a value in ``changes`` (by label: "First name", …) replaces hers."""
    values = {"First name": "Ada", "Last name": "Joiner", "E-mail address": "ada@example.org",
              "Date of birth": "17/05/1980", "Postcode": "E4 7AA", **changes}
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("I agree").check()


def must_search(pattern: str, text: object) -> re.Match[str]:
    """``re.search`` that fails the test, naming the pattern, when nothing matches."""
    found = re.search(pattern, str(text))
    assert found is not None, f"{pattern!r} not found"
    return found
