"""Inserting many new rows fast, for the bulk paths: history loads and imports.

The ORM's bulk_create compiles a statement for every 999 parameters on SQLite (37 claims at a time) and
prepares each value through several layers; at 10⁵ rows that costs more than the database's own work.
Here one single-row INSERT is prepared once and run by executemany, each column read straight from the
objects as the database driver takes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import DecimalField, Field, ForeignObject, JSONField, Model
from django.utils import timezone

CHUNK = 5000
"""Rows per executemany call."""
Reader = Callable[[Model], Any]
"""Reads one column of a row from its object, as the database driver takes it (hence `Any`)."""
Stamp = Callable[[Any], datetime]
"""The `auto_now_add` time of a row, from its object (of the model being inserted, hence `Any`)."""


def insert_rows(
    model: type[Model], objects: Sequence[Model], *, stamp: Stamp | None = None, with_keys: bool = False
) -> None:
    """Inserts `objects` as new rows of `model`; `auto_now_add` columns take `stamp(obj)`, else now.

    With `with_keys` the objects' own primary keys are written (the caller chose them); otherwise the
    database assigns them and the objects do not learn them. Foreign keys are read from the cached related
    objects (inserted before) or the `*_id` attributes, and `*_id` is set on the objects afterwards.
    """
    if not objects:
        return
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if with_keys or not f.primary_key]
    readers = [_reader(f, stamp) for f in fields]
    columns = ", ".join(ops.quote_name(_column(f)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), CHUNK):
            cursor.executemany(
                sql, [tuple(read(o) for read in readers) for o in objects[start : start + CHUNK]]
            )
    for f in fields:
        if isinstance(f, ForeignObject):  # services read `*_id`: set it, keeping the cached object
            for obj in objects:
                related = f.get_cached_value(obj, None)
                if related is not None:
                    obj.__dict__[f.attname] = related.pk


def _reader(f: Field[Any, Any], stamp: Stamp | None) -> Reader:
    ops, a = connection.ops, f.attname
    if isinstance(f, ForeignObject):  # a concrete relation: a foreign key or one-to-one
        return _fk_reader(f)
    kind = f.get_internal_type()
    if getattr(f, "auto_now_add", False):
        if stamp is None:
            now = ops.adapt_datetimefield_value(timezone.now())
            return lambda _o: now
        return lambda o: ops.adapt_datetimefield_value(stamp(o))
    if kind == "DateField":
        return lambda o: ops.adapt_datefield_value(getattr(o, a))
    if kind == "DateTimeField":
        return lambda o: ops.adapt_datetimefield_value(getattr(o, a))
    if kind == "TimeField":
        return lambda o: ops.adapt_timefield_value(getattr(o, a))
    if kind == "JSONField":
        assert isinstance(f, JSONField)
        encoder = f.encoder
        return lambda o: ops.adapt_json_value(getattr(o, a), encoder)
    if kind == "UUIDField":
        return lambda o: getattr(o, a) if connection.features.has_native_uuid_field else getattr(o, a).hex
    if kind == "DecimalField":
        assert isinstance(f, DecimalField)
        return lambda o: ops.adapt_decimalfield_value(getattr(o, a), f.max_digits, f.decimal_places)
    if kind == "FileField":
        return lambda o: str(getattr(o, a) or "")
    return lambda o: getattr(o, a)


def _column(field: Field[Any, Any]) -> str:
    assert field.column is not None  # every concrete field has a column
    return field.column


def _fk_reader(field: ForeignObject[Any, Any]) -> Reader:
    def read(obj: Model) -> object:
        related = field.get_cached_value(obj, None)
        return related.pk if related is not None else getattr(obj, field.attname)

    return read
