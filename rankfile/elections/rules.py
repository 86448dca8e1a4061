"""Who may vote: the eligibility rules of an electoral roll, evaluated in one place.

The rules are data (``RollRules.rules``, JSON), not code, so that they can be
published, versioned and argued over; ``evaluate`` applies them to the facts
about one membership (``Facts``) and answers in or out with a plain-language
reason. Everything here is plain Python over plain values: the facts are
gathered from the database elsewhere (``services/roll.py``), which keeps the
rules testable by property and easy to extend (vetting appeals, part 9's
verification) by adding a key and a check here.

The rules (every key optional except ``categories``)::

    {
      "categories": ["member", "registered_supporter", "affiliated_supporter"],
      "freeze_date": "2016-01-12",        # members: joined on or before
      "good_standing_since": "2016-01-12", # continuously in good standing since
      "cutoff_date": "2016-08-08",         # the day arrears and age are measured
      "arrears_max_days": 180,             # not behind more than this at the cut-off
      "supporter_window": {"from": "2016-07-18", "to": "2016-07-20"},
      "supporter_vetting_approved": true,  # registered supporters: approved in vetting
      "affiliated_verified": true,         # affiliated supporters: verified by the union
      "min_age": 16
    }
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

MEMBER = "member"
REGISTERED = "registered_supporter"
AFFILIATED = "affiliated_supporter"
CATEGORY_WORDS = {MEMBER: "member", REGISTERED: "registered supporter",
                  AFFILIATED: "affiliated supporter"}
GOOD_STANDING = frozenset({"active", "in_arrears"})
KNOWN_KEYS = frozenset({"categories", "freeze_date", "good_standing_since", "cutoff_date",
                        "arrears_max_days", "supporter_window", "supporter_vetting_approved",
                        "affiliated_verified", "min_age"})


class RulesError(ValueError):
    """The rules are not of the documented form; the message says what to fix."""


@dataclass(frozen=True)
class Rules:
    categories: tuple[str, ...]
    freeze_date: dt.date | None = None
    good_standing_since: dt.date | None = None
    cutoff_date: dt.date | None = None
    arrears_max_days: int | None = None
    window_from: dt.date | None = None
    window_to: dt.date | None = None
    supporter_vetting_approved: bool = False
    affiliated_verified: bool = False
    min_age: int | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules look at, about one membership."""

    category: str
    status: str
    date_of_birth: dt.date
    joined_on: dt.date | None = None
    good_standing_since: dt.date | None = None
    # Days the oldest unpaid dues period was overdue at the cut-off (0: paid up).
    overdue_days: int = 0
    # Days on which the person paid a supporter's fee.
    paid_on: tuple[dt.date, ...] = field(default_factory=tuple)
    vetting: str = "pending"
    union_verified: bool = False


# Why, in a word: the rule that decided (``Decision.code``), for counts by reason. The
# reason itself holds the person's own dates, so no two are alike.
REASON_WORDS = {
    "eligible": "On the roll",
    "category": "In a category that has no vote",
    "standing": "Not in good standing",
    "age": "Under the minimum age",
    "joined_late": "Joined after the freeze date",
    "standing_break": "Not in good standing without a break since the date",
    "arrears": "Dues behind more than allowed",
    "supporter_window": "Registered supporter who did not pay in the window",
    "vetting": "Registered supporter not approved in vetting",
    "union": "Affiliated supporter not confirmed by their union",
    "claim": "Put on the roll on a claim",
    "objection": "Taken off the roll on an objection",
}


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reason: str
    code: str = ""  # a key of REASON_WORDS


def _date(data: dict[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulesError(f"{key} must be a date written YYYY-MM-DD, not {value!r}.") from None


def _count(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RulesError(f"{key} must be a whole number of 0 or more, not {value!r}.")
    return value


def parse(data: object) -> Rules:
    """The rules in ``data`` (JSON as stored), checked.

    Raises:
        RulesError: an unknown key, an unknown category, a bad date or number.
    """
    if not isinstance(data, dict):
        raise RulesError("The rules must be a JSON object.")
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise RulesError(f"Unknown rule {sorted(unknown)[0]!r}; the rules are: "
                         f"{', '.join(sorted(KNOWN_KEYS))}.")
    categories = data.get("categories")
    if (not isinstance(categories, list) or not categories
            or any(c not in CATEGORY_WORDS for c in categories)):
        raise RulesError("categories must list one or more of: "
                         f"{', '.join(CATEGORY_WORDS)}.")
    window = data.get("supporter_window")
    window_from = window_to = None
    if window is not None:
        if not isinstance(window, dict):
            raise RulesError('supporter_window must be {"from": DATE, "to": DATE}.')
        window_from, window_to = _date(window, "from"), _date(window, "to")
        if window_from is None or window_to is None or window_to < window_from:
            raise RulesError("supporter_window needs a from date on or before its to date.")
    return Rules(
        categories=tuple(categories),
        freeze_date=_date(data, "freeze_date"),
        good_standing_since=_date(data, "good_standing_since"),
        cutoff_date=_date(data, "cutoff_date"),
        arrears_max_days=_count(data, "arrears_max_days"),
        window_from=window_from, window_to=window_to,
        supporter_vetting_approved=bool(data.get("supporter_vetting_approved", False)),
        affiliated_verified=bool(data.get("affiliated_verified", False)),
        min_age=_count(data, "min_age"),
    )


def day(d: dt.date) -> str:
    """3 March 2016"""
    return f"{d.day} {d:%B %Y}"


def _span(start: dt.date, end: dt.date) -> str:
    """'18 and 20 July 2016' or '30 June and 2 July 2016'."""
    if start.year == end.year and start.month == end.month:
        return f"{start.day} and {day(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B} and {day(end)}"
    return f"{day(start)} and {day(end)}"


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def evaluate(rules: Rules, facts: Facts, *, today: dt.date) -> Decision:
    """In or out, and why, for one membership under ``rules``.

    Every refusal names the rule and the person's own dates, and where another
    way in existed (the supporters' window) says so. ``today`` is the cut-off
    when the rules give none.
    """
    cutoff = rules.cutoff_date or today
    what = CATEGORY_WORDS.get(facts.category, facts.category)
    window_hint = ""
    if rules.window_from and rules.window_to and REGISTERED in rules.categories:
        window_hint = (f"; you could register as a supporter between "
                       f"{_span(rules.window_from, rules.window_to)}")

    def out(reason: str, code: str) -> Decision:
        return Decision(False, reason + ".", code)

    if facts.category not in rules.categories:
        return out(f"As a {what} you have no vote in this election: it is open to "
                   + ", ".join(CATEGORY_WORDS[c] + "s" for c in rules.categories), "category")
    if facts.status not in GOOD_STANDING:
        return out(f"Your {what}ship is not in good standing (it is {facts.status.replace('_', ' ')})"
                   if facts.category == MEMBER else
                   f"Your registration as a {what} is not in good standing "
                   f"(it is {facts.status.replace('_', ' ')})", "standing")
    if rules.min_age is not None and age_on(facts.date_of_birth, cutoff) < rules.min_age:
        return out(f"You must be {rules.min_age} or older on {day(cutoff)} to vote", "age")
    if facts.category == MEMBER:
        if rules.freeze_date is not None and (facts.joined_on is None
                                              or facts.joined_on > rules.freeze_date):
            joined = f"on {day(facts.joined_on)}" if facts.joined_on else "after it"
            return out(f"You joined {joined}, after the freeze date of "
                       f"{day(rules.freeze_date)}{window_hint}", "joined_late")
        since = rules.good_standing_since
        if since is not None and (facts.good_standing_since is None
                                  or facts.good_standing_since > since):
            began = (day(facts.good_standing_since) if facts.good_standing_since
                     else "an unknown date")
            return out(f"You must have been in good standing without a break since "
                       f"{day(since)}; your present membership in good standing began on "
                       f"{began}{window_hint}", "standing_break")
        if (rules.arrears_max_days is not None
                and facts.overdue_days > rules.arrears_max_days):
            return out(f"On {day(cutoff)} your dues were {facts.overdue_days} days behind, "
                       f"more than the {rules.arrears_max_days} days allowed; pay what is "
                       "owed before then to vote", "arrears")
        joined = f"you joined on {day(facts.joined_on)}" if facts.joined_on else "you are a member"
        return Decision(True, f"You can vote as a member: {joined} and are in good standing.",
                        "eligible")
    if facts.category == REGISTERED:
        if rules.window_from and rules.window_to:
            inside = [d for d in facts.paid_on if rules.window_from <= d <= rules.window_to]
            if not inside:
                return out(f"Registered supporters vote only if they paid between "
                           f"{_span(rules.window_from, rules.window_to)}; we have no payment "
                           "from you in that window", "supporter_window")
        if rules.supporter_vetting_approved and facts.vetting != "approved":
            state = "is still pending" if facts.vetting == "pending" else "did not approve you"
            return out(f"Registered supporters vote once approved in vetting; your vetting "
                       f"{state}", "vetting")
        return Decision(True, "You can vote as a registered supporter: you registered in the "
                        "window and were approved.", "eligible")
    if facts.category == AFFILIATED:
        if rules.affiliated_verified and not facts.union_verified:
            return out("Affiliated supporters vote once their union confirms their membership; "
                       "yours has not confirmed it yet", "union")
        return Decision(True, "You can vote as an affiliated supporter: your union confirmed "
                        "your membership.", "eligible")
    return out(f"As a {what} you have no vote in this election", "category")  # pragma: no cover
