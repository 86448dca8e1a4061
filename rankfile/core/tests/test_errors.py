import pytest

from rankfile.core.errors import Refusal, full_clean_or_refuse
from rankfile.discussion.models import Tag


def test_it_turns_a_models_first_error_into_a_refusal_naming_the_field(db):
    with pytest.raises(Refusal) as e:
        full_clean_or_refuse(Tag(name="", slug="ok"))

    assert ("invalid", "name") == (e.value.code, e.value.field)
    assert not Tag.objects.exists()


def test_it_lets_a_valid_model_through(db):
    full_clean_or_refuse(Tag(name="Joining", slug="joining"))
