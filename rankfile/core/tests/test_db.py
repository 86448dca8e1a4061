import fcntl
import os

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rankfile.accounts.models import ApiToken, User
from rankfile.core.db import insert_together, serialised_writes


def _try_lock(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.mark.parametrize("name", [":memory:", "file:memorydb_default?mode=memory&cache=shared"])
def test_it_leaves_no_lock_file_for_an_in_memory_database(db, tmp_path, monkeypatch, name):
    if connection.vendor != "sqlite":
        pytest.skip("the lock exists for SQLite only")
    monkeypatch.chdir(tmp_path)  # where a lock file named after the database would appear
    monkeypatch.setitem(connection.settings_dict, "NAME", name)

    with serialised_writes():
        during = sorted(p.name for p in tmp_path.iterdir())

    assert [] == during


def test_it_holds_a_lock_beside_a_sqlite_file_that_other_writers_queue_on(db, tmp_path,
                                                                           monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the lock exists for SQLite only")
    database = str(tmp_path / "db.sqlite3")
    monkeypatch.setitem(connection.settings_dict, "NAME", database)

    with serialised_writes():
        held = not _try_lock(database + ".writelock")

    assert held
    assert _try_lock(database + ".writelock")


def _login_with_token(email: str, token_hash: str) -> tuple[User, ApiToken]:
    now = timezone.now()
    user = User(email=email, date_joined=now, password="!x")
    return user, ApiToken(user=user, name="t", prefix="rf_x", token_hash=token_hash,
                          created_at=now)


def test_insert_together_stores_what_save_stores(db):
    now = timezone.now()
    saved = User(email="saved@example.org", first_name="Ada", is_staff=True, is_active=False,
                 date_joined=now, password="!x")
    saved.save(force_insert=True)
    user, token = _login_with_token("inserted@example.org", "h1")
    user.first_name, user.is_staff, user.is_active, user.date_joined = "Ada", True, False, now

    insert_together(user, token)

    assert user.pk is not None and not user._state.adding
    fresh = {u.email: u for u in User.objects.all()}
    for field in User._meta.concrete_fields:
        if field.name not in ("id", "email"):
            assert getattr(fresh["saved@example.org"], field.name) == getattr(
                fresh["inserted@example.org"], field.name), field.name
    assert ApiToken.objects.get().last_used_at is None


def test_insert_together_points_rows_at_those_written_before_them(db):
    user, token = _login_with_token("a@example.org", "h1")

    with transaction.atomic():
        insert_together(user, token)

    stored = ApiToken.objects.select_related("user").get()
    assert (user.pk, token.pk) == (stored.user.pk, stored.pk)
    assert user is token.user and user.pk == token.user_id


def test_insert_together_writes_nothing_when_one_row_breaks_a_constraint(db):
    insert_together(*_login_with_token("a@example.org", "h1"))

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(*_login_with_token("b@example.org", "h1"))  # the token clashes

    assert ["a@example.org"] == [u.email for u in User.objects.all()]


def test_insert_together_refuses_a_row_pointing_to_an_unsaved_one_not_written_first(db):
    user, token = _login_with_token("a@example.org", "h1")

    with pytest.raises(ValueError, match="not written before it"):
        insert_together(token, user)

    assert 0 == User.objects.count() + ApiToken.objects.count()
