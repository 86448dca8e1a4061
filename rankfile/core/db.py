"""Database helpers that hold for every backend."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


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


# (model, vendor) -> (the INSERT statement, the fields whose values it takes)
_INSERTS: dict[tuple[type[models.Model], str], tuple[str, tuple[models.Field, ...]]] = {}


def _insert_statement(model: type[models.Model]) -> tuple[str, tuple[models.Field, ...]]:
    key = (model, connection.vendor)
    found = _INSERTS.get(key)
    if found is None:
        meta = model._meta
        pk = meta.pk
        assert pk is not None
        fields = tuple(f for f in meta.concrete_fields
                       if not (f.primary_key and getattr(f, "db_returning", False)))
        quote = connection.ops.quote_name
        found = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(pk.column)}",
            fields,
        )
        _INSERTS[key] = found
    return found


def insert_new(obj: models.Model) -> None:
    """INSERT ``obj`` as ``save(force_insert=True)`` would, with the SQL built once.

    For the few rows written on every request of a surge (a sign-up writes
    five): Django compiles each ``save()``'s SQL afresh, which costs more than
    running it. Values are prepared by each field as ``save()`` prepares them
    (defaults and ``auto_now_add`` included), and ``obj`` gets its primary key.
    Unlike ``save()`` it sends no ``pre_save``/``post_save`` signals and calls
    no overridden ``save()``: use it only for models that have neither.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-thread proxy
    sql, fields = _insert_statement(type(obj))
    params = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if obj.pk is None:  # an auto-incremented key; others were set before the INSERT
        obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = db.alias
