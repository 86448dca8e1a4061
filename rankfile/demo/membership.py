"""The demo's categories with their rates and joining windows, and affiliated unions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rankfile.membership.models import AffiliatedUnion, Category, JoiningWindow, Rate

if TYPE_CHECKING:
    from rankfile.demo import DemoContext

K = Category.Kind
UTC = dt.UTC

PAST_WINDOW = "2015 £3 window"
LEADERSHIP_WINDOW = "Leadership 2016 supporters"
# The 2015 supporters' window: three weeks of the summer of 2015.
PAST_OPENS = dt.datetime(2015, 6, 15, 11, 0, tzinfo=UTC)
PAST_CLOSES = dt.datetime(2015, 8, 12, 11, 0, tzinfo=UTC)

UNIONS = (("unite", "Unite"), ("unison", "UNISON"), ("gmb", "GMB"),
          ("cwu", "Communication Workers Union"), ("tssa", "TSSA"))


def is_loaded() -> bool:
    return (
        Category.objects.filter(kind__in=K.values).count() == len(K.values)
        and JoiningWindow.objects.filter(name=PAST_WINDOW).exists()
        and AffiliatedUnion.objects.filter(code="unite").exists()
    )


def load(ctx: DemoContext) -> None:
    member, _ = Category.objects.update_or_create(kind=K.MEMBER, defaults={
        "name": "Member",
        "description": "Full membership: vote in branch meetings and leadership elections, "
                       "stand for office. Monthly dues, with a reduced rate.",
        "minimum_age": 14, "needs_window": False, "may_vote_in_meetings": True,
        "may_vote_in_leadership": True, "may_hold_office": True,
    })
    Rate.objects.update_or_create(category=member, code="standard", defaults={
        "name": "Standard", "amount_pence": 450, "period": Rate.Period.MONTHLY})
    Rate.objects.update_or_create(category=member, code="reduced", defaults={
        "name": "Reduced", "amount_pence": 100, "period": Rate.Period.MONTHLY,
        "description": "For students, pensioners, people out of work or on a low wage."})
    Category.objects.update_or_create(kind=K.AFFILIATED_SUPPORTER, defaults={
        "name": "Affiliated supporter",
        "description": "For members of an affiliated trade union: no fee; your union "
                       "membership is checked with the union.",
        "minimum_age": 14, "needs_window": False, "may_vote_in_meetings": False,
        "may_vote_in_leadership": True, "may_hold_office": False,
    })
    registered, _ = Category.objects.update_or_create(kind=K.REGISTERED_SUPPORTER, defaults={
        "name": "Registered supporter",
        "description": "Support us and vote in leadership elections, for a one-off fee "
                       "while a registration window is open.",
        "minimum_age": 14, "needs_window": True, "may_vote_in_meetings": False,
        "may_vote_in_leadership": True, "may_hold_office": False,
    })
    JoiningWindow.objects.update_or_create(category=registered, name=PAST_WINDOW, defaults={
        "opens_at": PAST_OPENS, "closes_at": PAST_CLOSES, "fee_pence": 300})
    for code, name in UNIONS:
        AffiliatedUnion.objects.update_or_create(code=code, defaults={"name": name})
    refresh_window(ctx)
    ctx.out(f"  3 categories, 2 rates, 2 windows, {len(UNIONS)} unions")


# The window opened this long before the demo loads, so the live chart shows
# the surge building hour by hour; it stays open for another 28 hours.
OPENED_HOURS_AGO = 20


def leadership_window_times(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The 48-hour window, open whenever the demo is loaded: opened 20 hours ago."""
    opens = now - dt.timedelta(hours=OPENED_HOURS_AGO)
    return opens, opens + dt.timedelta(hours=48)


def refresh_window(ctx: DemoContext) -> None:
    """Move the leadership supporters' window so it is open now."""
    registered = Category.objects.filter(kind=K.REGISTERED_SUPPORTER).first()
    if registered is None:
        return
    opens, closes = leadership_window_times(ctx.now)
    JoiningWindow.objects.update_or_create(category=registered, name=LEADERSHIP_WINDOW, defaults={
        "opens_at": opens, "closes_at": closes, "fee_pence": 2500})
    # The joining pages cache windows; with a shared cache (Redis) a running server
    # would otherwise show the old times for a while.
    try:
        from rankfile.membership.services import joining
    except ImportError:
        return
    forget = getattr(joining, "joining_offers_forget", None)
    if forget is not None:
        forget()
