"""Append-only bulk inserts of plain values, without model instances.

``bulk_create`` builds a model instance per row and prepares every value through its
field; for the bill run's invoice lines that cost ten times the INSERT itself. Here
the caller gives tuples of plain values in column order; only JSON and datetime
columns are adapted (the backends take Decimal, date, int and str as they are), and
the rows go to the database inside the caller's transaction: on PostgreSQL with one
``COPY ... FROM STDIN`` (psycopg 3 streams the rows; no statement per row, no
parameter limit), on SQLite and MariaDB with one ``executemany`` per batch. Both
give the rows the same values and take keys and column defaults from the table.
Nothing is returned: callers that need the new keys read them back by a unique
column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH_ROWS = 5_000


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: connection.ops.adapt_json_value(value, encoder)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    return None


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]
) -> int:
    """INSERT ``rows`` (tuples in ``columns`` order, attribute names such as
    ``invoice_id``) into ``model``'s table; returns the number of rows."""
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    qn = connection.ops.quote_name
    # Table and column names come from the model and are quoted; values are bound
    # (or, for COPY, sent as data).
    target = f"{qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    adapters = [(i, a) for i, f in enumerate(fields) if (a := _adapter(f))]
    if connection.vendor == "postgresql":
        return _copy(target, rows, adapters)
    sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    count = 0
    it = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(it, BATCH_ROWS)):
            if adapters:
                batch = [_adapt(row, adapters) for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _copy(
    target: str,
    rows: Iterable[tuple],
    adapters: list[tuple[int, Callable[[Any], Any]]],
) -> int:
    """PostgreSQL: the rows with one COPY. psycopg dumps each value as it would
    bind it (JSON columns are already ``Jsonb`` from the adapter)."""
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {target} FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(_adapt(row, adapters) if adapters else row)
            count += 1
    return count


def _adapt(row: tuple, adapters: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    values = list(row)
    for i, adapt in adapters:
        values[i] = adapt(values[i])
    return tuple(values)


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """INSERT unsaved instances of ``model`` (every concrete column but the primary
    key, as the instances hold them, defaults included); keys are not set."""
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return insert_rows(
        model, columns, (tuple(getattr(o, c) for c in columns) for o in objs)
    )
