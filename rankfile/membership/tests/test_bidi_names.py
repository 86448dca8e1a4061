"""Every place a name is entered refuses bidirectional control characters with a precise
message and stores nothing: the join form, the API, a visitor's comment, article authors
and the ward and branch import."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rankfile.core.errors import Refusal
from rankfile.core.text import BIDI_CONTROLS
from rankfile.membership.models import Membership
from rankfile.membership.tests.join_helpers import make_offers

bidi = st.sampled_from(sorted(BIDI_CONTROLS))
EVIL = "\u202eevil"


@pytest.fixture
def offers(area):
    return make_offers()


def _details(**changes: str) -> dict[str, str]:
    data = {"first_name": "Ada", "last_name": "Joiner", "email": "ada@example.org",
            "date_of_birth": "1980-05-17", "postcode": "e4 7aa", "consent": "on"}
    data.update(changes)
    return data


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(control=bidi, field=st.sampled_from(["first_name", "last_name"]))
def test_the_join_form_refuses_a_bidi_control_in_a_name(client, offers, control, field):
    response = client.post("/join/registered_supporter/",
                           _details(**{field: f"Ev{control}il"}))

    assert 400 == response.status_code
    assert "changes the direction of the text" in response.content.decode()
    assert f"U+{ord(control):04X}" in response.content.decode()
    assert 0 == Membership.objects.count()


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(control=bidi)
def test_the_api_refuses_a_bidi_control_in_a_name(client, offers, control):
    body = {"category": "registered_supporter", "first_name": "Ada", "last_name": f"J{control}",
            "email": "ada@example.org", "postcode": "e4 7aa", "date_of_birth": "1980-05-17",
            "consent": True}

    response = client.post("/api/join", json.dumps(body), content_type="application/json",
                           headers={"Idempotency-Key": f"k-{ord(control)}"})

    assert 400 == response.status_code
    assert ("bidi_control", "last_name") == (response.json()["error"]["code"],
                                             response.json()["error"]["field"])
    assert 0 == Membership.objects.count()


def test_a_visitor_s_comment_name_refuses_a_bidi_control(db, area, author, moderator):
    from rankfile.discussion.models import Comment
    from rankfile.discussion.services.articles import article_create, article_publish
    from rankfile.discussion.services.comments import comment_post

    article = article_publish(article=article_create(
        by=author, body=area.branch, title="T", standfirst="S", markdown="M"), by=moderator)

    with pytest.raises(Refusal) as e:
        comment_post(article=article, text="Hello", name=EVIL)

    assert ("bidi_control", "name") == (e.value.code, e.value.field)
    assert 0 == Comment.objects.count()


def test_the_ward_import_refuses_a_bidi_control_in_a_name(tmp_path, db):
    from rankfile.branches.services.importing import GeoImportRefused, geo_import

    wards = tmp_path / "wards.csv"
    wards.write_text("ward_code,ward_name,constituency_code,constituency_name,lad_code,"
                     "lad_name,region_name\nE05000593,\u202eChingford Green,E14000634,"
                     "Chingford,E09000031,Waltham Forest,London\n", encoding="utf-8")

    with pytest.raises(GeoImportRefused) as e:
        geo_import(wards=wards)

    assert any("ward_name" in line and "U+202E" in line for line in e.value.errors)
