"""A stored ballot holds nothing that links it to a voter."""

import uuid

from django.db import models

from rankfile.elections.models import Ballot, Election


def test_it_stores_only_election_section_ranking_tracker_and_day():
    fields = {f.name: f for f in Ballot._meta.get_fields()}

    assert {"id", "election", "section", "ranking", "tracker", "cast_on"} == set(fields)


def test_its_only_relation_is_the_election():
    relations = [f for f in Ballot._meta.get_fields() if f.is_relation]

    assert ["election"] == [f.name for f in relations]
    assert Election is relations[0].related_model


def test_its_primary_key_is_random_not_sequential():
    pk = Ballot._meta.pk

    assert isinstance(pk, models.UUIDField)
    assert pk.default is uuid.uuid4


def test_it_keeps_the_day_not_the_time():
    cast_on = Ballot._meta.get_field("cast_on")

    assert isinstance(cast_on, models.DateField)
    assert not isinstance(cast_on, models.DateTimeField)
    assert not any(isinstance(f, models.DateTimeField) for f in Ballot._meta.concrete_fields)


def test_nothing_points_at_a_ballot():
    """No other model holds a ballot's key (a voter's record could otherwise name it)."""
    from django.apps import apps

    pointing = [f"{m._meta.label}.{f.name}" for m in apps.get_models()
                for f in m._meta.concrete_fields
                if f.is_relation and f.related_model is Ballot]

    assert [] == pointing
