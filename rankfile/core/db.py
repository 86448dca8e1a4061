"""Database helpers that hold for every backend."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.fields import AutoFieldMixin


@contextlib.contextmanager
def serialised_writes() -> Iterator[None]:
    """Queue this process's write transaction behind other processes' on SQLite.

    SQLite lets one writer in at a time and makes the others poll with growing
    sleeps (its busy handler), so under a surge most of the time goes to
    sleeping. An exclusive ``flock`` on a file beside the database makes the
    next writer wake the moment the lock is released. On other databases this
    does nothing. Wrap the whole ``transaction.atomic()`` block, and keep the
    work inside it short.
    """
    if connection.vendor != "sqlite":
        yield
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        yield
        return
    fd = os.open(name + ".writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def first_read(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """The first row of a read-only statement that is the request's first, which
    also checks the connection in place of Django's health check.

    With ``CONN_HEALTH_CHECKS`` (settings), Django sends ``SELECT 1`` before a
    request's first statement on a kept connection, so that a connection the
    server dropped is replaced rather than failing the request: a round trip
    of its own, which a sign-up under a surge pays for (bench/RESULTS.md,
    "2026-11-30"). A read can simply be sent again, so here the read is the
    check: if it fails as a dead connection fails (``OperationalError``,
    ``InterfaceError``), the connection is closed and the read sent once more
    on a new one. Inside a transaction, or once the connection was checked in
    this request, it is an ordinary read.
    """
    db = connections[DEFAULT_DB_ALIAS]
    # Django's own flags (BaseDatabaseWrapper), which its type stubs do not name.
    stands_in = (db.connection is not None and getattr(db, "health_check_enabled", False)
                 and not getattr(db, "health_check_done", True) and not db.in_atomic_block)
    if stands_in:
        db.health_check_done = True  # type: ignore[attr-defined]
    try:
        return _read(db, sql, params)
    except (OperationalError, InterfaceError):
        if not stands_in:
            raise
    db.close()  # as the health check would have; the next cursor connects afresh
    return _read(db, sql, params)


def _read(db: BaseDatabaseWrapper, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@dataclass(frozen=True)
class FastPath:
    """A model declared fit for ``insert_together``, and what its declarer vouches for.

    ``insert_together`` sends no signals and calls no ``save()``, so a model
    with a ``pre_save``/``post_save`` receiver or an overridden ``save()``
    would be stored differently than by ``save()``. The declarer names each
    receiver and override it has read and either repeats (sets what the
    receiver would set) or knows to do nothing for a new row; ``core.checks.check_fast_path`` refuses any other, and
    fields or parents ``insert_together`` cannot write as ``save()`` would.
    Names are ``module.qualname``.
    """

    model: type[models.Model]
    receivers: frozenset[str] = frozenset()
    save: str | None = None


_FAST_PATH: dict[type[models.Model], FastPath] = {}


def allow_fast_path(model: type[models.Model], *, receivers: tuple[str, ...] = (),
                    save: str | None = None) -> None:
    """Declare ``model`` fit for ``insert_together`` (from an ``AppConfig.ready()``).

    Args:
        receivers: the ``pre_save``/``post_save`` receivers of ``model`` whose
            work the caller does itself.
        save: the overridden ``save()`` known to do nothing more for a new row.
    """
    _FAST_PATH[model] = FastPath(model=model, receivers=frozenset(receivers), save=save)


def fast_path_models() -> list[FastPath]:
    """Every model declared fit for ``insert_together``."""
    return list(_FAST_PATH.values())


@dataclass(frozen=True)
class _Shape:
    """How to INSERT one model's rows: its table, columns and the fields that fill them."""

    table: str
    columns: str
    pk: str
    fields: tuple[models.Field, ...]
    insert: str  # one row, every value a parameter, returning the key
    # Per field: the exact type of value it stores unchanged, or None (see _plain_type).
    plain: tuple[type | None, ...]
    # Per field: whether it is a foreign key, which may point to an unsaved row.
    links: tuple[bool, ...]


# Field classes whose preparation stores a value of one exact type unchanged:
# pre_save() reads the attribute and get_db_prep_save() hands back what it got
# (CharField's to_python keeps a str, IntegerField's int() keeps an int, ...).
# A sign-up's ~60 values skip those calls when the value has that exact type;
# any other value, and every other field, is prepared by the field itself.
# Keyed by Django's get_prep_value, with the to_python it calls (None: it calls
# none); test_fast_path's parity tests compare each row with what save() stores.
_PLAIN_PREPARATION: dict[Any, tuple[type, Any]] = {
    models.CharField.get_prep_value: (str, models.CharField.to_python),
    models.TextField.get_prep_value: (str, models.TextField.to_python),
    models.IntegerField.get_prep_value: (int, None),
    models.BooleanField.get_prep_value: (bool, models.BooleanField.to_python),
}


def _plain_type(field: models.Field, db: BaseDatabaseWrapper) -> type | None:
    """The exact type whose values ``field`` stores unchanged, or None.

    Only for fields that inherit Django's own pre_save() and preparation (a
    subclass that overrides any of them is prepared by itself), and a foreign
    key only when its target is such a field. Checked against the methods, not
    the class names, so an override anywhere is seen.
    """
    cls = type(field)
    if cls.pre_save is not models.Field.pre_save:
        return None
    if isinstance(field, models.ForeignKey):
        if (cls.get_db_prep_save is not models.ForeignKey.get_db_prep_save
                or cls.get_db_prep_value is not models.ForeignKey.get_db_prep_value):
            return None
        return _plain_type(field.target_field, db)
    if cls.get_db_prep_save is not models.Field.get_db_prep_save:
        return None
    ops = type(db.ops)
    prep_value = cls.get_db_prep_value
    if prep_value is models.IntegerField.get_db_prep_value:
        # PostgreSQL's adapts every integer to a sized one (psycopg's Int4, ...).
        if ops.adapt_integerfield_value is not BaseDatabaseOperations.adapt_integerfield_value:
            return None
    elif prep_value is AutoFieldMixin.get_db_prep_value:
        if ops.validate_autopk_value is not BaseDatabaseOperations.validate_autopk_value:
            return None
    elif prep_value is not models.Field.get_db_prep_value:
        return None
    plain, to_python = _PLAIN_PREPARATION.get(cls.get_prep_value, (None, None))
    if to_python is not None and cls.to_python is not to_python:
        return None  # the preparation calls a to_python of the subclass's own
    return plain


def _value(obj: models.Model, field: models.Field, plain: type | None,
           db: BaseDatabaseWrapper) -> Any:
    """``field``'s value of ``obj`` as ``save(force_insert=True)`` would send it."""
    if plain is not None:
        value = getattr(obj, field.attname)
        if value is None or type(value) is plain:
            # What pre_save() then get_db_prep_save() return for it: itself (a
            # foreign key's None too).
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), db)


_SHAPES: dict[tuple[type[models.Model], str], _Shape] = {}


def _column(field: models.Field) -> str:
    """A concrete field's column (only fields that are not concrete have none)."""
    assert field.column is not None, field
    return field.column


def _shape(model: type[models.Model], db: BaseDatabaseWrapper) -> _Shape:
    found = _SHAPES.get((model, db.vendor))
    if found is None:
        if model not in _FAST_PATH:
            raise ImproperlyConfigured(
                f"{model._meta.label} is not declared fit for insert_together: declare it "
                "with core.db.allow_fast_path, which the fast-path system check inspects.")
        meta = model._meta
        assert meta.pk is not None
        fields = tuple(f for f in meta.concrete_fields
                       if not (f.primary_key and getattr(f, "db_returning", False)))
        quote = db.ops.quote_name
        table, columns, pk = (quote(meta.db_table), ", ".join(quote(_column(f)) for f in fields),
                              quote(_column(meta.pk)))
        found = _Shape(table=table, columns=columns, pk=pk, fields=fields,
                       insert=f"INSERT INTO {table} ({columns}) VALUES "
                              f"({', '.join(['%s'] * len(fields))}) RETURNING {pk}",
                       plain=tuple(_plain_type(f, db) for f in fields),
                       links=tuple(isinstance(f, models.ForeignKey) and f.many_to_one
                                   for f in fields))
        _SHAPES[(model, db.vendor)] = found
    return found


def _unsaved_parent(obj: models.Model, field: models.Field, earlier: set[int]
                    ) -> models.Model | None:
    """The row ``obj`` points to through ``field`` if it was assigned before it had a key.

    It must be one of the rows written before ``obj`` (their ``id()`` in
    ``earlier``), or else ``obj`` would lose the link, as ``save()`` refuses too.
    """
    if not (isinstance(field, models.ForeignKey) and field.many_to_one):
        return None
    if getattr(obj, field.attname) is not None:
        return None
    if not field.is_cached(obj):
        return None
    parent: models.Model | None = field.get_cached_value(obj)
    if parent is None:
        return None
    if parent.pk is not None:  # saved since it was assigned: take its key, as save() does
        setattr(obj, field.name, parent)
        return None
    if id(parent) not in earlier:
        raise ValueError(f"{obj!r} points to an unsaved {parent!r} that is not written "
                         "before it.")
    return parent


def _stored(obj: models.Model, pk: object, db: BaseDatabaseWrapper) -> None:
    if obj.pk is None:  # an auto-incremented key; others were set before the INSERT
        obj.pk = pk
    obj._state.adding = False
    obj._state.db = db.alias


def insert_together(*objs: models.Model) -> None:
    """INSERT new rows as ``save(force_insert=True)`` would, with the SQL built once.

    For the few rows written on every request of a surge (a sign-up writes
    five): Django compiles each ``save()``'s SQL afresh, which costs more than
    running it. Values are prepared by each field as ``save()`` prepares them
    (defaults and ``auto_now_add`` included), and every object gets its
    primary key. A row may point to one before it in ``objs`` that has no key
    yet (``payment.membership = membership``).

    All or none: on PostgreSQL the rows go in one statement (a chain of
    INSERTs in a WITH query), which is atomic by itself and costs one round
    trip. Elsewhere they go one by one, in a savepoint of the caller's
    transaction or else in a transaction of their own (queued by
    ``serialised_writes`` on SQLite).

    Unlike ``save()`` it sends no ``pre_save``/``post_save`` signals and calls
    no overridden ``save()``: it writes only models declared with
    ``allow_fast_path``, which ``core.checks.check_fast_path`` inspects.

    Raises:
        IntegrityError: as ``save()`` would, and nothing of ``objs`` is written.
        ImproperlyConfigured: a model was not declared with ``allow_fast_path``.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-thread proxy
    if db.vendor == "postgresql" and len(objs) > 1:
        if db.in_atomic_block:
            # A savepoint, so that a broken constraint leaves the caller's
            # transaction usable, as save() inside atomic() would.
            with transaction.atomic():
                _insert_chain(objs, db)
        else:
            _insert_chain(objs, db)
    else:
        # Values are prepared before the write lock is taken: on SQLite only one
        # writer runs at a time, so what happens inside the lock caps the rate.
        rows = []
        for i, obj in enumerate(objs):
            rows.append(_prepared(obj, db, {id(o) for o in objs[:i]}))
        # One row or many alike: a known address's one row is written as a new
        # address's rows are (membership.services.joining: the same work).
        if db.in_atomic_block:
            # A savepoint, so that a broken constraint leaves none of the rows in
            # the caller's transaction, as on PostgreSQL.
            with transaction.atomic():
                _insert_each(rows, db)
        else:
            with serialised_writes(), transaction.atomic():
                _insert_each(rows, db)


# An object, its values, and which of them await a parent's key:
# (position in the values, the foreign key, the parent row).
_Prepared = tuple[models.Model, list[Any], list[tuple[int, models.Field, models.Model]]]


def _prepared(obj: models.Model, db: BaseDatabaseWrapper, earlier: set[int]) -> _Prepared:
    shape = _shape(type(obj), db)
    params: list[Any] = []
    links = []
    for i, (field, plain, link) in enumerate(zip(shape.fields, shape.plain, shape.links,
                                                 strict=True)):
        if link:
            parent = _unsaved_parent(obj, field, earlier)
            if parent is not None:
                links.append((i, field, parent))
        params.append(_value(obj, field, plain, db))
    return obj, params, links


def _insert_each(rows: list[_Prepared], db: BaseDatabaseWrapper) -> None:
    with db.cursor() as cursor:
        execute = _qmark_execute(db, cursor) or cursor.execute
        for obj, params, links in rows:
            for i, _field, parent in links:
                params[i] = parent.pk  # the parent was inserted just before
            execute(_shape(type(obj), db).insert, params)
            _stored(obj, cursor.fetchone()[0], db)
    for obj, _params, links in rows:
        for _i, field, parent in links:
            setattr(obj, field.name, parent)


def _qmark_execute(db: BaseDatabaseWrapper, cursor: Any) -> Any:
    """On SQLite, an ``execute(sql, params)`` for our own ``%s`` statements that sends
    them with SQLite's ``?`` converted once per statement, or None elsewhere.

    Django's SQLite cursor converts ``%s`` to ``?`` with a regular expression
    at every statement; a sign-up sends five. Not for a logged statement or
    with execute wrappers (tests, tools), which then see the usual cursor.
    """
    if db.vendor != "sqlite" or db.queries_logged or db.execute_wrappers:
        return None
    import sqlite3

    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    raw = cursor.cursor  # Django's SQLiteCursorWrapper, an sqlite3.Cursor

    def execute(sql: str, params: list[Any]) -> None:
        qmark = _QMARK.get(sql)
        if qmark is None:
            qmark = _QMARK[sql] = FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            sqlite3.Cursor.execute(raw, qmark, params)

    return execute


# Our INSERT statements in SQLite's placeholders (a few per model, built once).
_QMARK: dict[str, str] = {}


# The chain's SQL by its signature: each row's model and, for each of its values,
# a parameter, a keyword or a link to an earlier row. A sign-up has a handful of
# signatures, so the text is built once per process for each; bounded all the same.
_CHAINS: dict[tuple[Any, ...], str] = {}
_CHAINS_MAX = 256
_KEYWORDS = {None: "NULL", True: "TRUE", False: "FALSE"}


def _insert_chain(objs: tuple[models.Model, ...], db: BaseDatabaseWrapper) -> None:
    position = {id(obj): i for i, obj in enumerate(objs)}
    params: list[Any] = []
    links: list[tuple[models.Model, models.Field, models.Model]] = []
    # PostgreSQL's own placeholders ($1), unless the statement is to be logged
    # (DEBUG, tests counting queries): Django logs it by filling in "%s".
    native = not db.queries_logged
    signature: list[Any] = [native]
    for i, obj in enumerate(objs):
        shape = _shape(type(obj), db)
        earlier = {id(o) for o in objs[:i]} if i else set()
        marks: list[Any] = []
        for field, plain, link in zip(shape.fields, shape.plain, shape.links, strict=True):
            if link:
                parent = _unsaved_parent(obj, field, earlier)
                if parent is not None:
                    marks.append(position[id(parent)])
                    links.append((obj, field, parent))
                    continue
            value = _value(obj, field, plain, db)
            if value is None or value is True or value is False:
                # Written into the SQL (keywords, nothing to escape): fewer
                # parameters to send, and the same few shapes of statement
                # for PostgreSQL to prepare.
                marks.append(_KEYWORDS[value])
            else:
                params.append(value)
                marks.append(None)
        signature.append((type(obj), tuple(marks)))
    key = tuple(signature)
    sql = _CHAINS.get(key)
    if sql is None:
        sql = _chain_sql(key, db)
        if len(_CHAINS) >= _CHAINS_MAX:
            _CHAINS.clear()
        _CHAINS[key] = sql
    with _native_cursor(db) if native else db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    for obj, pk in zip(objs, row, strict=True):
        _stored(obj, pk, db)
    for obj, field, parent in links:
        setattr(obj, field.name, parent)


def _chain_sql(key: tuple[Any, ...], db: BaseDatabaseWrapper) -> str:
    """The WITH query inserting rows whose signature is ``key`` (see ``_insert_chain``)."""
    native, rows = key[0], key[1:]
    ctes: list[str] = []
    n = 0
    for i, (model, marks) in enumerate(rows):
        shape = _shape(model, db)
        values = []
        for mark in marks:
            if mark is None:
                n += 1
                values.append(f"${n}" if native else "%s")
            elif isinstance(mark, int):  # a link to the row written at that position
                values.append(f"(SELECT pk FROM c{mark})")
            else:
                values.append(mark)
        ctes.append(f"c{i} AS (INSERT INTO {shape.table} ({shape.columns}) "
                    f"VALUES ({', '.join(values)}) RETURNING {shape.pk} AS pk)")
    keys = ", ".join(f"(SELECT pk FROM c{i})" for i in range(len(rows)))
    return f"WITH {', '.join(ctes)} SELECT {keys}"


def _native_cursor(db: BaseDatabaseWrapper) -> Any:
    """A cursor whose statements carry PostgreSQL's own ``$1`` placeholders.

    psycopg turns ``%s`` into ``$1`` by scanning the statement, and remembers
    the result only for statements of at most 50 parameters (and 4,096
    characters). A sign-up's chain has about 50, so every sign-up paid for the
    scan: 11% of a sign-up's instructions in Python (bench/RESULTS.md,
    "2026-11-30"). The cursor is wrapped as ``connection.cursor()`` wraps its
    own (the health check, database errors as Django's, execute wrappers); not
    for a logged statement, which Django logs by filling in ``%s``.
    """
    import psycopg

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return db._prepare_cursor(psycopg.RawCursor(db.connection))  # type: ignore[attr-defined]  # noqa: SLF001


@contextlib.contextmanager
def relaxed_commits() -> Iterator[None]:
    """Let this connection's commits return before they reach the disk.

    For writes whose loss in a crash of the database server (not of this
    process) is harmless because they are redone: the outbox marking each
    message as sent, where a lost mark means the message goes out once more
    with the same Message-ID. Waiting for the disk at each of those commits
    would cost more than sending the message. PostgreSQL's
    ``synchronous_commit`` is turned off, SQLite's ``synchronous`` set to
    NORMAL (still safe against a crash of this process in WAL mode), and both
    put back afterwards. Inside a transaction it changes nothing.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.in_atomic_block or db.vendor not in ("postgresql", "sqlite"):
        yield
        return
    relax, restore = {
        "postgresql": ("SET synchronous_commit TO off", "RESET synchronous_commit"),
        "sqlite": ("PRAGMA synchronous = NORMAL",
                   f"PRAGMA synchronous = {settings.SQLITE_SYNCHRONOUS}"),
    }[db.vendor]
    with db.cursor() as cursor:
        cursor.execute(relax)
    try:
        yield
    finally:
        try:
            with db.cursor() as cursor:
                cursor.execute(restore)
        except DatabaseError:  # the connection is gone, and its setting with it
            pass


@contextlib.contextmanager
def custom_plans() -> Iterator[None]:
    """Queries inside are planned for their own parameters, every time (PostgreSQL).

    With statements prepared on the server (``DATABASE_PREPARED_STATEMENTS``),
    PostgreSQL may switch a statement run five times to a generic plan made
    without its parameters. For ``UPPER(name) LIKE $1`` that plan cannot use a
    prefix index, as it does not know the pattern starts with letters: a
    search of 650,000 people goes from a millisecond to seconds. Searches run
    inside this (a read-only transaction with ``plan_cache_mode`` set for it
    alone). Elsewhere it does nothing.
    """
    conn = connection
    if conn.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
