"""Bulk writes of readings without model instances: one statement per backend.

``insert_readings`` takes plain tuples in ``READING_COLUMNS`` order and skips the
rows that repeat a stored (register, day, kind) — the ``reading_once_a_day``
constraint decides, in the database, within the caller's transaction:

- PostgreSQL: ``COPY`` into a temporary table, then ``INSERT ... SELECT ... ON
  CONFLICT DO NOTHING``;
- SQLite: ``INSERT OR IGNORE`` with ``executemany``;
- MariaDB/MySQL: ``INSERT IGNORE`` with ``executemany`` (the driver sends multi-row
  statements).

The caller checks every value first (lengths, precision, known registers): the
statements ignore duplicates only because the values are known to be valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, transaction

from .models import Reading

# The columns of a reading that an import writes; ``id`` comes from the database.
READING_COLUMNS = (
    "register_id",
    "read_on",
    "period_start",
    "kind",
    "value",
    "source",
    "status",
    "method",
    "quality",
    "batch_id",
    "entered_by_id",
    "entered_at",
    "note",
    "reader",
    "photo_ref",
)

ReadingTuple = tuple[
    int,
    date,
    date | None,
    str,
    Decimal,
    str,
    str,
    str,
    str,
    int | None,
    int | None,
    Any,
    str,
    str,
    str,
]

# Rows per executemany call (SQLite, MariaDB): bounds the memory of one call.
BATCH_ROWS = 20_000

_STAGING = "meterbill_reading_in"
_KEY = itemgetter(0, 1)  # register_id, read_on


def entered_at(now: datetime) -> Any:
    """``now`` as the backend stores a datetime column (naive UTC on SQLite)."""
    return connection.ops.adapt_datetimefield_value(now)


def insert_readings(rows: Sequence[ReadingTuple]) -> int:
    """Insert ``rows``, skipping those whose (register, day, kind) is stored; return
    the number inserted. Rows must not repeat each other's key."""
    if not rows:
        return 0
    # In key order the index pages fill one after another instead of at random:
    # about twice as fast on SQLite once the indexes outgrow its page cache.
    in_order = sorted(rows, key=_KEY)
    with transaction.atomic(savepoint=False):
        return _insert(in_order)


def _insert(rows: Sequence[ReadingTuple]) -> int:
    if connection.vendor == "postgresql":
        return _copy_then_insert(rows)
    if connection.vendor == "sqlite":
        return _executemany("INSERT OR IGNORE INTO", rows)
    if connection.vendor == "mysql":
        return _executemany("INSERT IGNORE INTO", rows)
    raise NotImplementedError(f"no bulk insert for {connection.vendor}")


def _table() -> str:
    return connection.ops.quote_name(Reading._meta.db_table)


def _columns() -> str:
    return ", ".join(connection.ops.quote_name(c) for c in READING_COLUMNS)


def _executemany(verb: str, rows: Sequence[ReadingTuple]) -> int:
    placeholders = ", ".join(["%s"] * len(READING_COLUMNS))
    sql = f"{verb} {_table()} ({_columns()}) VALUES ({placeholders})"
    inserted = 0
    with connection.cursor() as cursor:
        for chunk in _batches(rows, BATCH_ROWS):
            cursor.executemany(sql, chunk)
            inserted += max(cursor.rowcount, 0)
    return inserted


def _copy_then_insert(rows: Sequence[ReadingTuple]) -> int:
    """COPY the rows into a temporary table of the same column types, then move
    them over in one statement; the constraint drops the stored ones.

    The statements are built from the model's table and column names only; every
    value travels through COPY."""
    columns = _columns()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {_table()} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {_STAGING} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {_table()} ({columns}) SELECT {columns} FROM {_STAGING} "  # noqa: S608
            "ON CONFLICT (register_id, read_on, kind) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGING}")
    return inserted


def _batches(rows: Iterable[ReadingTuple], size: int) -> Iterable[list[ReadingTuple]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk
