"""A member changes their own name and dues rate."""

import pytest
from django.urls import reverse

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.membership.models import Membership, Rate, StatusChange
from rankfile.membership.services.selfservice import (
    membership_change_name,
    membership_change_rate,
)
from rankfile.membership.tests.factories import make_category, make_member_in

S = Membership.Status


@pytest.fixture
def rates(db):
    category = make_category()
    return {
        code: Rate.objects.create(category=category, code=code, name=name, amount_pence=pence,
                                  period=period)
        for code, name, pence, period in [
            ("standard", "Standard", 500, Rate.Period.MONTHLY),
            ("reduced", "Reduced", 150, Rate.Period.MONTHLY),
            ("yearly", "Yearly", 5000, Rate.Period.YEARLY),
        ]
    }


@pytest.fixture
def mine(area, rates):
    return make_member_in(area, rate=rates["standard"])


def test_it_changes_the_name_and_keeps_a_history_line_without_the_old_name(mine):
    changed = membership_change_name(membership=mine, first_name="  Ada ", last_name="Lovelace",
                                     by=mine.user)

    mine.refresh_from_db()
    assert changed
    assert ("Ada", "Lovelace") == (mine.first_name, mine.last_name)
    note = StatusChange.objects.filter(membership=mine).last()
    assert note is not None
    assert "Name changed" == note.reason
    assert S.ACTIVE == note.to_status == note.from_status


@pytest.mark.parametrize("first, code", [
    ("", "required"), ("x" * 101, "too_long"), ("Ada\u202e", "unreadable"),
    ("Ada\x00", "unreadable"),
])
def test_it_refuses_a_bad_name_and_changes_nothing(mine, first, code):
    with pytest.raises(Refusal) as e:
        membership_change_name(membership=mine, first_name=first, last_name="L", by=mine.user)

    mine.refresh_from_db()
    assert (code, "first_name") == (e.value.code, e.value.field)
    assert "Ada" == mine.first_name


def test_it_refuses_someone_elses_name_change(mine, area):
    other = make_member_in(area)

    with pytest.raises(PermissionRefused):
        membership_change_name(membership=mine, first_name="X", last_name="Y", by=other.user)


def test_it_moves_to_a_reduced_rate_of_the_same_period(mine, rates):
    assert membership_change_rate(membership=mine, rate_code="reduced", by=mine.user)

    mine.refresh_from_db()
    assert rates["reduced"] == mine.rate
    assert "Dues rate changed from Standard to Reduced" == mine.history.last().reason


def test_it_lets_a_member_in_arrears_move_to_a_reduced_rate(area, rates):
    behind = make_member_in(area, rate=rates["standard"], status=S.IN_ARREARS)

    assert membership_change_rate(membership=behind, rate_code="reduced", by=behind.user)


@pytest.mark.parametrize("code, refusal", [
    ("yearly", "other_period"), ("nonsense", "unknown_rate"), ("", "unknown_rate"),
])
def test_it_refuses_a_rate_it_cannot_move_to(mine, rates, code, refusal):
    with pytest.raises(Refusal) as e:
        membership_change_rate(membership=mine, rate_code=code, by=mine.user)

    mine.refresh_from_db()
    assert refusal == e.value.code
    assert rates["standard"] == mine.rate


def test_it_refuses_a_rate_change_to_a_lapsed_membership(area, rates):
    lapsed = make_member_in(area, rate=rates["standard"], status=S.LAPSED)

    with pytest.raises(Refusal) as e:
        membership_change_rate(membership=lapsed, rate_code="reduced", by=lapsed.user)

    assert "not_in_good_standing" == e.value.code


def test_it_saves_the_name_from_the_page(client, mine):
    client.force_login(mine.user)

    response = client.post(reverse("me:name"), {"membership": mine.reference,
                                                "first_name": "Grace", "last_name": "Hopper"})

    mine.refresh_from_db()
    assert 302 == response.status_code
    assert "Grace Hopper" == mine.full_name


def test_it_shows_a_bad_rate_on_the_page_and_changes_nothing(client, mine, rates):
    client.force_login(mine.user)

    page = client.get(reverse("me:rate") + f"?membership={mine.reference}")
    response = client.post(reverse("me:rate"), {"membership": mine.reference, "rate": "yearly"})

    mine.refresh_from_db()
    assert 200 == page.status_code
    assert "Reduced" in page.text and "Yearly" not in page.text
    assert 400 == response.status_code
    assert "Choose one of the rates shown." in response.text
    assert rates["standard"] == mine.rate


def test_it_does_not_open_another_persons_membership(client, mine, area):
    other = make_member_in(area)
    client.force_login(other.user)

    response = client.post(reverse("me:name"), {"membership": mine.reference,
                                                "first_name": "X", "last_name": "Y"})

    mine.refresh_from_db()
    assert 302 == response.status_code
    assert "Ada" == mine.first_name


@pytest.mark.parametrize("name", ["me:name", "me:rate", "me:upgrade", "me:rejoin"])
def test_it_answers_a_nul_in_the_reference_without_an_error(client, mine, name):
    client.force_login(mine.user)

    response = client.post(reverse(name), {"membership": "RF\x00", "first_name": "X",
                                           "last_name": "Y"})

    mine.refresh_from_db()
    assert 400 == response.status_code  # refused at the door (core.middleware)
    assert "Ada" == mine.first_name
