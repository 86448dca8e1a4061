"""Member search: what is typed is matched by its shape, each shape from an index."""

import pytest
from django.db import connection, transaction

from rankfile.membership.models import Membership
from rankfile.membership.selectors import member_search_filter, membership_list_for
from rankfile.membership.tests.factories import make_member_in


@pytest.fixture
def people(area):
    return {
        "rosa": make_member_in(area, first_name="Rosa", last_name="Okafor"),
        "ross": make_member_in(area, first_name="Ross", last_name="Smith", other=True),
        "theo": make_member_in(area, first_name="Theo", last_name="Rossi"),
    }


def _found(staff, q):
    return {m.first_name for m in membership_list_for(staff, q=q)}


def test_it_finds_by_name_prefixes_in_any_case(staff, people):
    assert {"Rosa", "Ross", "Theo"} == _found(staff, "ros")  # Rossi's surname too
    assert {"Rosa"} == _found(staff, "ROS oka")
    assert {"Rosa"} == _found(staff, "oka ROS")
    assert set() == _found(staff, "ross oka")
    assert set() == _found(staff, "osa")  # a prefix, not anywhere in the name


def test_it_finds_by_reference_postcode_and_email(staff, people, area):
    rosa = people["rosa"]

    assert {"Rosa"} == _found(staff, rosa.reference.lower().replace("-", "- "))
    assert {"Rosa", "Theo"} == _found(staff, area.postcode.postcode.lower().replace(" ", ""))
    assert {"Rosa", "Ross", "Theo"} == _found(staff, "e4")  # the outward code
    assert {"Rosa"} == _found(staff, rosa.user.email.upper())


@pytest.mark.parametrize("q", ["\x00", "\u202e", "%", "_", "' OR 1=1 --", "a" * 500])
def test_it_answers_hostile_searches_with_nothing_much(client, staff, people, q):
    client.force_login(staff)

    # A NUL is refused at the door (core.middleware); the rest find nothing much.
    assert (400 if q == "\x00" else 200) == client.get("/officers/members/",
                                                       {"q": q}).status_code


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
@pytest.mark.parametrize(("q", "index"), [
    ("ros", "membership_last_first_prefix"),
    ("ros", "membership_first_last_prefix"),
    ("ros oka", "membership_last_first_prefix"),
    ("ros oka", "membership_first_last_prefix"),
    ("E4", "membership_postcode_prefix"),
    ("E4 7AA", "membership_postcode_prefix"),
    ("rosa@example", "accounts_user_email_prefix"),
    ("RF-ABCD1234", "membership_membership_reference"),
])
def test_each_shape_of_search_can_use_its_index(people, q, index):
    """EXPLAIN shows the index serving the search (sequential scans turned off, as the
    test tables are too small for the planner to prefer an index on its own)."""
    found = Membership.objects.filter(member_search_filter(q)).order_by("-applied_at", "-pk")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = found.explain()

    assert index in plan


def test_it_counts_a_broad_search_only_up_to_its_cap(client, staff, area, monkeypatch):
    from rankfile.membership.views import officers

    monkeypatch.setattr(officers, "SEARCH_CAP", 3)
    for _ in range(5):
        make_member_in(area)
    client.force_login(staff)

    broad = client.get("/officers/members/").content.decode()
    narrow = client.get("/officers/members/", {"status": "nonsense", "q": "nobody"}).content.decode()

    assert "More than 3 members found" in broad
    assert "0 members found." in narrow
