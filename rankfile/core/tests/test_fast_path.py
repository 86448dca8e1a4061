"""The system check that guards ``core.db.insert_together`` (rankfile.E020)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Lower
from django.db.models.signals import post_save, pre_save
from django.test.utils import isolate_apps

from rankfile.accounts.models import User
from rankfile.core import db as core_db
from rankfile.core.checks import check_fast_path
from rankfile.core.db import allow_fast_path, insert_together
from rankfile.membership.services.joining import JOIN_ROW_MODELS


@pytest.fixture
def declared(monkeypatch):
    """A registry of its own for the test, so throwaway declarations go with it."""
    monkeypatch.setattr(core_db, "_FAST_PATH", {})
    return core_db._FAST_PATH


def _errors() -> list[str]:
    return [e.msg for e in check_fast_path(None) if e.id == "rankfile.E020"]


def stamp(sender, instance, **kwargs):
    instance.name = "stamped"


def test_the_models_a_sign_up_writes_are_declared_and_pass_the_check():
    assert set(JOIN_ROW_MODELS) == set(core_db._FAST_PATH)
    assert [] == check_fast_path(None)


@isolate_apps("rankfile.core")
def test_it_passes_a_plain_model(declared):
    class Plain(models.Model):  # noqa: DJ008  (a throwaway)
        name = models.CharField(max_length=10, default="x")

    allow_fast_path(Plain)

    assert [] == _errors()


@isolate_apps("rankfile.core")
@pytest.mark.parametrize("signal", [pre_save, post_save])
def test_it_refuses_a_model_with_a_save_receiver_nobody_named(declared, signal):
    class Signalled(models.Model):  # noqa: DJ008  (a throwaway)
        name = models.CharField(max_length=10)

    signal.connect(stamp, sender=Signalled)
    try:
        allow_fast_path(Signalled)
        refused = _errors()
        allow_fast_path(Signalled, receivers=(f"{__name__}.stamp",))
        named = _errors()
    finally:
        signal.disconnect(stamp, sender=Signalled)

    assert [f"insert_together writes core.Signalled, which has a pre_save/post_save "
            f"receiver it does not repeat, {__name__}.stamp."] == refused
    assert [] == named


@isolate_apps("rankfile.core")
def test_it_refuses_a_model_whose_save_is_overridden(declared):
    class Saving(models.Model):  # noqa: DJ008  (a throwaway)
        name = models.CharField(max_length=10)

        def save(self, *args, **kwargs):
            self.name = self.name.upper()
            super().save(*args, **kwargs)

    class Inheriting(Saving):  # noqa: DJ008  (the override comes with the class)
        class Meta:
            proxy = True

    allow_fast_path(Saving)
    allow_fast_path(Inheriting)
    refused = _errors()
    allow_fast_path(Saving, save=f"{__name__}.{Saving.save.__qualname__}")

    assert 2 == len(refused)
    assert all("an overridden save(), " in e and "Saving.save" in e for e in refused)
    assert 1 == len(_errors())  # the proxy's declaration did not name it


@isolate_apps("rankfile.core")
def test_it_refuses_a_model_with_a_database_default_or_a_generated_field(declared):
    class Defaulted(models.Model):  # noqa: DJ008  (a throwaway)
        name = models.CharField(max_length=10, db_default="x")
        lower = models.GeneratedField(expression=Lower("name"), db_persist=True,
                                      output_field=models.CharField(max_length=10))

    allow_fast_path(Defaulted)

    assert ["insert_together writes core.Defaulted, which has a db_default, on name.",
            "insert_together writes core.Defaulted, which has a generated field, lower."
            ] == _errors()


@isolate_apps("rankfile.core")
def test_it_refuses_a_model_with_a_parent(declared):
    class Parent(models.Model):  # noqa: DJ008  (a throwaway)
        name = models.CharField(max_length=10)

    class Child(Parent):  # noqa: DJ008  (a throwaway)
        extra = models.CharField(max_length=10)

    allow_fast_path(Parent)
    allow_fast_path(Child)

    assert ["insert_together writes core.Child, which has a parent model (core.Parent) "
            "whose row save() would write first."] == _errors()


def test_the_user_model_is_passed_only_for_the_save_it_names(declared):
    allow_fast_path(User)

    assert ["insert_together writes accounts.User, which has an overridden save(), "
            "django.contrib.auth.base_user.AbstractBaseUser.save."] == _errors()


def test_insert_together_refuses_a_model_nobody_declared(db, declared, monkeypatch):
    monkeypatch.setattr(core_db, "_SHAPES", {})

    with pytest.raises(ImproperlyConfigured, match="accounts.User is not declared"):
        insert_together(User(email="a@example.org", password="!x"))

    assert not User.objects.exists()
