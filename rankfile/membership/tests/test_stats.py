"""Live counters: the figures, their cache, the page and GET /api/stats."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rankfile.accounts.models import User
from rankfile.membership import stats as stats_module
from rankfile.membership.models import Category, JoiningWindow, Membership
from rankfile.membership.stats import stats_clear, stats_compute, stats_get
from rankfile.membership.tests.factories import make_category, make_membership
from rankfile.membership.views.stats import nice_ticks

S = Membership.Status


def person(**extra) -> Membership:
    # No password: hashing one per row would make these tests slow.
    user = User.objects.create_user(f"p{User.objects.count()}@example.org")
    return make_membership(user, **extra)


@pytest.fixture
def people(db):
    """Three active members, one applied supporter, one lapsed member."""
    supporter = make_category(Category.Kind.REGISTERED_SUPPORTER)
    for _ in range(3):
        person()
    person(category=supporter, status=S.APPLIED)
    person(status=S.LAPSED)
    return supporter


def test_it_counts_people_by_category_and_status(people):
    figures = stats_compute()

    assert 3 == figures["by_category"]["member"]["active"]
    assert 1 == figures["by_category"]["member"]["lapsed"]
    assert 1 == figures["by_category"]["registered_supporter"]["applied"]
    assert 0 == figures["by_category"]["affiliated_supporter"]["active"]
    assert 5 == figures["totals"]["people"]
    assert {"member": 4, "registered_supporter": 1, "affiliated_supporter": 0} == (
        figures["totals"]["by_category"]
    )
    assert 3 == figures["totals"]["by_status"]["active"]


def test_an_unconfirmed_applicant_counts_as_an_application_not_as_a_person(people):
    person(email_confirmed_at=None)

    figures = stats_compute()

    assert 6 == figures["applications_received"]["total"]
    assert 5 == figures["totals"]["people"]
    assert 5 == figures["applications_received"]["by_category"]["member"]


def test_it_counts_signups_per_hour_over_the_most_recent_window(people):
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    JoiningWindow.objects.create(category=people, name="the summer window",
                                 opens_at=hour - dt.timedelta(hours=2),
                                 closes_at=hour + dt.timedelta(hours=46))
    Membership.objects.update(applied_at=now - dt.timedelta(days=30))
    for minutes in (0, 1, 61):
        person(category=people, status=S.APPLIED)
        Membership.objects.filter(pk=Membership.objects.order_by("-pk")[0].pk).update(
            applied_at=hour - dt.timedelta(hours=2) + dt.timedelta(minutes=minutes))

    figures = stats_compute(now=now)

    assert [2, 1, 0] == [h["count"] for h in figures["signups_per_hour"]]
    assert figures["signups_per_hour"][0]["hour"].endswith("Z")
    assert "the summer window" == figures["window"]["name"]


def test_it_shows_the_last_two_days_without_a_window(people):
    figures = stats_compute()

    assert 48 == len(figures["signups_per_hour"])
    assert figures["window"] is None


def test_it_states_when_it_counted(people):
    before = timezone.now().replace(microsecond=0)

    figures = stats_compute()

    as_of = dt.datetime.fromisoformat(figures["as_of"].replace("Z", "+00:00"))
    assert before <= as_of <= timezone.now()


def test_it_serves_the_cache_until_it_is_due(people):
    first = stats_get()
    person()

    assert first == stats_get()
    stats_clear()
    assert first["totals"]["people"] + 1 == stats_get()["totals"]["people"]


@override_settings(STATS_CACHE_SECONDS=5)
def test_it_recomputes_once_the_figures_are_stale(people):
    stats_get()
    person()

    with mock.patch.object(stats_module.time, "time", return_value=stats_module.time.time() + 6):
        assert 6 == stats_get()["totals"]["people"]


@override_settings(STATS_CACHE_SECONDS=5)
def test_it_answers_with_the_last_figures_while_another_request_recomputes(people):
    stats_get()
    person()
    stats_module.cache.add(stats_module.LOCK_KEY, 1, 10)

    with mock.patch.object(stats_module.time, "time", return_value=stats_module.time.time() + 6):
        with mock.patch.object(stats_module, "stats_compute") as compute:
            assert 5 == stats_get()["totals"]["people"]

    compute.assert_not_called()


def test_it_counts_500_people_in_few_queries(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        stats_compute()


def test_it_answers_json_at_api_stats(client, people):
    response = client.get("/api/stats")

    assert 200 == response.status_code
    body = response.json()
    assert {"as_of", "applications_received", "by_category", "totals", "window",
            "signups_per_hour"} == set(body)
    assert 5 == body["totals"]["people"] == body["applications_received"]["total"]
    assert response["Cache-Control"].startswith("public, max-age=")


def test_it_shows_the_page_with_a_chart_and_a_table(client, people):
    response = client.get("/stats/")

    assert 200 == response.status_code
    html = response.content.decode()
    assert 'aria-hidden="true"' in html
    assert "<caption" in html
    assert "Exact as of" in html
    assert 'data-stat="member:active">3<' in html


def test_it_allows_only_get_on_the_page(client, people):
    assert 405 == client.post("/stats/").status_code


def test_it_counts_those_in_good_standing_and_those_who_have_left(people):
    person(status=S.IN_ARREARS)
    person(status=S.RESIGNED)

    totals = stats_compute()["totals"]

    assert (4, 2, 7) == (totals["in_good_standing"], totals["ended"], totals["people"])


def test_the_page_says_what_its_headline_counts_and_keys_every_figure(client, people):
    html = client.get("/stats/").content.decode()

    assert 'data-stat="in_good_standing">3</span> members and supporters in good standing' in html
    assert 'data-stat="ended">1<' in html and 'data-stat="people">5<' in html
    # The "All" row and column, not only the categories' cells, update live.
    assert 'data-stat="member">4<' in html and 'data-stat="status:active">3<' in html


def test_the_chart_has_round_axis_values_up_to_the_busiest_hour(client, people):
    Membership.objects.update(applied_at=timezone.now())  # five sign-ups this hour

    html = client.get("/stats/").content.decode()

    axis = html.split('<div class="y-axis">')[1].split("</div>")[0]
    assert re.findall(r">(\d+)</span>", axis) == ["0", "1", "2", "3", "4", "5"]


@pytest.mark.parametrize("peak, ticks", [
    (0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (103, [0, 25, 50, 75, 100, 125]),
    (1486, [0, 500, 1000, 1500]),
])
def test_it_picks_round_ticks(peak, ticks):
    assert ticks == nice_ticks(peak)


@given(st.integers(min_value=1, max_value=10**7))
def test_the_ticks_are_round_evenly_spaced_and_reach_the_peak(peak):
    ticks = nice_ticks(peak)

    step = ticks[1]
    assert 0 == ticks[0] and peak <= ticks[-1] < peak + step
    assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False))
    assert 2 <= len(ticks) <= 6
    digits = str(step).rstrip("0")
    assert digits in ("1", "2", "25", "5")
