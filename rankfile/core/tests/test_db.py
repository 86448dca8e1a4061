import fcntl
import functools
import json
import os
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rankfile.accounts.models import ApiToken, User
from rankfile.core import db as core_db
from rankfile.core.db import insert_together, serialised_writes
from rankfile.core.tests.health import count_health_checks, new_request
from rankfile.membership.models import Membership


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


@pytest.fixture(autouse=True)
def _tokens_declared(monkeypatch):
    """The API token stands for any plain model here (a login and its token)."""
    monkeypatch.setitem(core_db._FAST_PATH, ApiToken, core_db.FastPath(ApiToken))


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


def _noting(sent: list[str]) -> Any:
    """An execute wrapper that notes the SQL of each statement sent, in ``sent``."""

    def watch(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    return watch


def test_insert_together_sends_postgresqls_own_placeholders_unless_logging(db):
    # psycopg converts "%s" statements of over 50 parameters afresh every time:
    # a sign-up's chain must not go back to that unnoticed (core.db._native_cursor).
    if connection.vendor != "postgresql":
        pytest.skip("one chained statement on PostgreSQL only")
    sent: list[str] = []
    with connection.execute_wrapper(_noting(sent)):
        insert_together(*_login_with_token("a@example.org", "h1"))
    with CaptureQueriesContext(connection) as logged:
        insert_together(*_login_with_token("b@example.org", "h2"))

    chain = next(sql for sql in sent if sql.startswith("WITH"))
    assert "$1" in chain and "%s" not in chain
    assert any("b@example.org" in q["sql"] for q in logged)  # filled in by Django, for the log
    assert 2 == ApiToken.objects.count()


class _ShoutingField(models.CharField):
    """A field that prepares its value itself: insert_together must ask it."""

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else str(value).upper()


class _TrimmingField(models.CharField):
    """Overrides only to_python, which CharField's own get_prep_value calls."""

    def to_python(self, value: Any) -> Any:
        return None if value is None else str(value).strip()


def test_only_fields_with_djangos_own_preparation_skip_it():
    prepared_by_itself = _ShoutingField(max_length=10)
    prepared_by_itself.set_attributes_from_name("shout")
    converted_by_itself = _TrimmingField(max_length=10)
    converted_by_itself.set_attributes_from_name("trim")
    fields = {f.name: f for f in Membership._meta.concrete_fields}
    plain = functools.partial(core_db._plain_type, db=connection)

    assert str is plain(fields["reference"])
    assert bool is plain(fields["needs_placement"])
    assert int is plain(fields["user"])  # a foreign key to an auto-incremented key
    assert None is plain(fields["applied_at"])  # a datetime goes through the field
    assert None is plain(prepared_by_itself)
    assert None is plain(converted_by_itself)
    # psycopg needs PostgreSQL's integers sized (Int4, ...): Django's adapter does it.
    assert (None if connection.vendor == "postgresql" else int) is plain(fields["fee_pence"])


def test_a_value_of_another_type_is_prepared_by_its_field(db):
    reference = Membership._meta.get_field("reference")
    shape = core_db._shape(Membership, connection)
    plain = shape.plain[shape.fields.index(reference)]
    membership = Membership()
    membership.reference = gettext_lazy("RF-LAZY")  # type: ignore[assignment]  # as a form may give

    value = core_db._value(membership, reference, plain, connection)

    assert str is plain and "RF-LAZY" == value and str is type(value)


def test_the_chain_of_inserts_is_written_once_per_shape_and_kept_bounded(db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("one chained statement on PostgreSQL only")
    monkeypatch.setattr(core_db, "_CHAINS", {})
    monkeypatch.setattr(core_db, "_CHAINS_MAX", 2)
    insert_together(*_login_with_token("a@example.org", "h1"))
    insert_together(*_login_with_token("b@example.org", "h2"))
    assert 1 == len(core_db._CHAINS)  # the same shape: built once

    user, token = _login_with_token("c@example.org", "h3")
    token.last_used_at = timezone.now()  # a value where the others had NULL
    insert_together(user, token)
    assert 2 == len(core_db._CHAINS)
    user, token = _login_with_token("d@example.org", "h4")
    user.is_staff = True  # TRUE where the others had FALSE
    insert_together(user, token)

    assert 1 == len(core_db._CHAINS)  # full: emptied, then this one kept
    stored = {t.token_hash: t for t in ApiToken.objects.select_related("user")}
    assert stored["h3"].last_used_at is not None and stored["h4"].user.is_staff
    assert stored["h1"].last_used_at is None and not stored["h1"].user.is_staff


def test_on_sqlite_our_inserts_go_out_with_sqlites_placeholders_unless_watched(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own placeholders")
    sent: list[str] = []
    insert_together(*_login_with_token("a@example.org", "h1"))
    with connection.execute_wrapper(_noting(sent)):
        insert_together(*_login_with_token("b@example.org", "h2"))
    with CaptureQueriesContext(connection) as logged:
        insert_together(*_login_with_token("c@example.org", "h3"))

    assert 2 == sum(sql.startswith("INSERT") for sql in sent)  # a wrapper sees them
    assert any("c@example.org" in q["sql"] for q in logged)  # and the log
    assert ["a@example.org", "b@example.org", "c@example.org"] == sorted(
        ApiToken.objects.values_list("user__email", flat=True))


def test_on_sqlite_a_broken_constraint_is_djangos_integrity_error(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own placeholders")
    insert_together(*_login_with_token("a@example.org", "h1"))

    with pytest.raises(IntegrityError):
        insert_together(*_login_with_token("a@example.org", "h2"))

    assert 1 == User.objects.count()


def test_insert_together_refuses_a_row_pointing_to_an_unsaved_one_not_written_first(db):
    user, token = _login_with_token("a@example.org", "h1")

    with pytest.raises(ValueError, match="not written before it"):
        insert_together(token, user)

    assert 0 == User.objects.count() + ApiToken.objects.count()


# -- save() parity for the sign-up: every row of every model the join writes ----------------

JOINS: dict[str, dict[str, Any]] = {
    "registered supporter, fee": {},
    "member at a rate": {"category": "member", "rate": "standard"},
    "affiliated supporter": {"category": "affiliated_supporter", "union": "unite",
                             "union_number": "U123"},
    "free window": {"free": True},
    "known address": {"known": True},  # a RepeatApplication and the notice's job
}


def _every_row() -> dict[type[Model], set[Any]]:
    return {model: set(model._default_manager.values_list("pk", flat=True))
            for model in apps.get_models()}


def _join(path: str, email: str, changes: dict[str, Any], settings: Any
          ) -> tuple[dict[type[Model], list[dict[str, Any]]], dict[Any, str]]:
    """The rows one sign-up through ``path`` wrote, by model, as {attname: value}."""
    from rankfile.membership.services.joining import membership_apply
    from rankfile.membership.tests.join_helpers import joiner

    settings.JOIN_WRITE_PATH = path
    known = User.objects.create_user(email=email) if changes.pop("known", False) else None
    before = _every_row()
    data = joiner(email=email, **changes)
    result = membership_apply(data=data, idempotency_key=f"key-{path}", now=timezone.now())
    written: dict[type[Model], list[dict[str, Any]]] = {}
    for model, keys in _every_row().items():
        new = sorted(keys - before[model])  # auto-incremented keys: the order written
        if new:
            by_pk = model._default_manager.in_bulk(new)
            written[model] = [{f.attname: getattr(by_pk[pk], f.attname)
                               for f in model._meta.concrete_fields} for pk in new]
    names: dict[Any, str] = {email: "<email>", f"key-{path}": "<key>",
                             data.fingerprint(): "<fingerprint>",
                             result.reference: "<reference>"}
    if result.payment is not None:
        names[result.payment.reference] = "<payment>"
    if known is not None:  # rows pointing to the login the address has
        names[(User._meta.db_table, known.pk)] = "<known login>"
    return written, names


def _comparable(written: dict[type[Model], list[dict[str, Any]]], names: dict[Any, str]
                ) -> dict[str, list[dict[str, Any]]]:
    keys = {(model._meta.db_table, row[model._meta.pk.attname]): f"<{model.__name__}{i}>"
            for model, rows in written.items() for i, row in enumerate(rows)}
    keys |= {name: placeholder for name, placeholder in names.items() if isinstance(name, tuple)}

    def plain(field, value):
        if field.primary_key:
            return "<pk>"
        if field.is_relation and (field.related_model._meta.db_table, value) in keys:
            return keys[(field.related_model._meta.db_table, value)]
        if field.attname == "password":  # random and unusable on both paths
            return value[:1]
        if isinstance(value, dict | list):
            text = json.dumps(value, sort_keys=True)
            for name, placeholder in names.items():
                if isinstance(name, str):
                    text = text.replace(name, placeholder)
            return text
        return names.get(value, value)

    return {model._meta.label: [{f.attname: plain(f, row[f.attname])
                                 for f in model._meta.concrete_fields} for row in rows]
            for model, rows in written.items()}


@pytest.mark.parametrize("join", JOINS)
def test_the_fast_path_stores_every_sign_up_row_as_save_does(db, area, settings, join):
    from rankfile.membership.models import JoiningWindow
    from rankfile.membership.tests.join_helpers import make_offers

    make_offers()
    changes = {**JOINS[join]}
    if changes.pop("free", False):
        JoiningWindow.objects.update(fee_pence=0)
    with time_machine.travel(timezone.now(), tick=False):  # the same instant for both
        fast = _join("fast", "fast@example.org", {**changes}, settings)
        orm = _join("orm", "orm@example.org", {**changes}, settings)

    written = set(fast[0])
    assert written == set(orm[0])
    assert written <= set(fast_path_models_written()), "a model the join writes is not declared"
    assert _comparable(*orm) == _comparable(*fast)


def fast_path_models_written() -> list[type[Model]]:
    from rankfile.core.db import fast_path_models

    return [entry.model for entry in fast_path_models()]


# -- the request's first read, standing in for the health check ----------------------------


@pytest.mark.django_db(transaction=True)
def test_the_first_read_of_a_request_is_its_connection_check(monkeypatch):
    new_request()
    checks = count_health_checks(monkeypatch)

    row = core_db.first_read("SELECT %s + 1", [41])
    with connection.cursor() as cursor:  # what the request does next: no check either
        cursor.execute("SELECT 1")

    assert ((42,), []) == (row, checks)


@pytest.mark.django_db(transaction=True)
def test_a_first_read_on_a_dropped_connection_is_sent_again_on_a_new_one(monkeypatch):
    new_request()
    dropped = connection.connection
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [dropped.info.backend_pid])
    else:  # SQLite cannot be dropped by another process: the read fails as if it were
        real = core_db._read
        failures = iter([True])

        def failing_once(db, sql, params):
            if next(failures, False):
                from django.db import OperationalError
                raise OperationalError("server closed the connection unexpectedly")
            return real(db, sql, params)

        monkeypatch.setattr(core_db, "_read", failing_once)

    assert (2,) == core_db.first_read("SELECT %s + 1", [1])
    if connection.vendor == "postgresql":  # SQLite keeps a test's in-memory database open
        assert connection.connection is not dropped
    assert 0 == User.objects.count()  # and the new connection serves what follows


@pytest.mark.django_db(transaction=True)
def test_a_read_that_is_not_the_first_is_not_sent_again(monkeypatch):
    from django.db import OperationalError

    connection.ensure_connection()
    connection.health_check_done = True  # type: ignore[attr-defined]  # checked already
    sent: list[str] = []

    def failing(db, sql, params):
        sent.append(sql)
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(core_db, "_read", failing)

    with pytest.raises(OperationalError):
        core_db.first_read("SELECT 1", [])
    connection.health_check_done = False  # type: ignore[attr-defined]
    with pytest.raises(OperationalError), transaction.atomic():  # a transaction's read
        core_db.first_read("SELECT 1", [])

    assert 2 == len(sent)

