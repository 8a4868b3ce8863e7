"""Bulk writes of readings without model instances: one statement per backend.

``insert_readings`` takes plain tuples in ``READING_COLUMNS`` order and skips the
rows that repeat a stored (register, day, kind) — the ``reading_once_a_day``
constraint decides, in the database, within the caller's transaction:

- PostgreSQL: ``COPY`` straight into the table of the rows not stored yet (one
  query finds them); should another writer store one meanwhile, ``COPY`` into a
  temporary table, then ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``;
- SQLite: ``INSERT OR IGNORE`` with ``executemany``, many rows per statement;
- MariaDB/MySQL: ``INSERT IGNORE`` with ``executemany`` (the driver sends multi-row
  statements).

The caller checks every value first (lengths, precision, known registers): the
statements ignore duplicates only because the values are known to be valid.

The rows of one import mostly differ only in register, day and value (one batch,
one user, index readings): such rows are sent as those three columns, the rest
once per statement (SQLite) or once per ``COPY`` (PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice, repeat
from operator import eq, itemgetter
from typing import Any

from django.db import IntegrityError, connection, transaction

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
# Rows per SQLite statement when the rows share all but their register, day and
# value: more only lengthen the statement's text.
SHARED_ROWS_PER_STATEMENT = 500
# SQLite page cache while inserting readings, in KiB.
SQLITE_CACHE_KIB = 256 * 1024

_STAGING = "meterbill_reading_in"
_KEY = itemgetter(0, 1)  # register_id, read_on
# The columns of each row of an import, and those its rows mostly share (one
# batch, one user, index readings): register, day and value, and the others.
_OWN = (0, 1, 4)
_SHARED = tuple(i for i in range(len(READING_COLUMNS)) if i not in _OWN)


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
        return _postgresql_insert(rows)
    if connection.vendor == "sqlite":
        shared = _shared(rows)
        with _sqlite_cache(SQLITE_CACHE_KIB):
            if shared is not None:
                return _sqlite_insert_shared(rows, shared)
            return _sqlite_insert(rows)
    if connection.vendor == "mysql":
        return _executemany("INSERT IGNORE INTO", rows)
    raise NotImplementedError(f"no bulk insert for {connection.vendor}")


@contextmanager
def _sqlite_cache(kib: int) -> Iterator[None]:
    """A page cache of ``kib`` KiB for the block (SQLite's default is 2 MiB): the
    rows go into five B-trees (the table and four indexes) at as many places as
    there are registers, and with a small cache every insert reads pages back."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


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


def _sqlite_insert(rows: Sequence[ReadingTuple]) -> int:
    """``INSERT OR IGNORE`` of many rows per statement, as many as the bound
    parameters allow: on SQLite each statement also rewrites the table's
    AUTOINCREMENT counter, and one row per statement cost 40% more CPU."""
    width = len(READING_COLUMNS)
    parameters = connection.features.max_query_params or 999  # SQLite's oldest
    per_statement = max(1, parameters // width)
    one = "(" + ", ".join(["%s"] * width) + ")"

    def statement(count: int) -> str:
        values = ", ".join([one] * count)
        return f"INSERT OR IGNORE INTO {_table()} ({_columns()}) VALUES {values}"  # noqa: S608

    whole = len(rows) - len(rows) % per_statement
    inserted = 0
    with connection.cursor() as cursor:
        if whole:
            sql = statement(per_statement)
            # whole statements per executemany call
            batch = per_statement * max(1, BATCH_ROWS // per_statement)
            for start in range(0, whole, batch):
                stop = min(start + batch, whole)
                cursor.executemany(
                    sql,
                    [
                        list(chain.from_iterable(rows[i : i + per_statement]))
                        for i in range(start, stop, per_statement)
                    ],
                )
                inserted += max(cursor.rowcount, 0)
        if whole < len(rows):
            rest = rows[whole:]
            cursor.execute(statement(len(rest)), list(chain.from_iterable(rest)))
            inserted += max(cursor.rowcount, 0)
    return inserted


def _shared(rows: Sequence[ReadingTuple]) -> tuple[Any, ...] | None:
    """The values of the columns besides register, day and value, when every row
    has the same ones; else None."""
    if not rows:
        return None
    shared_of = itemgetter(*_SHARED)
    first = shared_of(rows[0])
    return first if all(map(eq, map(shared_of, rows), repeat(first))) else None


def _own_columns(
    rows: Sequence[ReadingTuple],
) -> tuple[list[int], list[str], list[str]]:
    """Each row's register, day and value, the day and value as the text that
    Django's adapters would send (ISO date, ``str`` of the Decimal): made here a
    column at a time, and once per distinct day."""
    iso = {day: day.isoformat() for day in set(map(itemgetter(1), rows))}
    return (
        list(map(itemgetter(0), rows)),
        list(map(iso.__getitem__, map(itemgetter(1), rows))),
        list(map(str, map(itemgetter(4), rows))),
    )


def _sqlite_insert_shared(rows: Sequence[ReadingTuple], shared: tuple[Any, ...]) -> int:
    """``INSERT OR IGNORE`` of rows that share all but their register, day and
    value: each statement binds the shared values once, as ?1 to ?12, and three
    values a row, as text: a third of the parameters of ``_sqlite_insert``, and no
    adapter called per row, for half its time."""
    first = len(_SHARED) + 1
    width = len(_OWN)
    limit = _sqlite_parameter_limit()
    per_statement = max(1, min(SHARED_ROWS_PER_STATEMENT, (limit - first) // width))
    head = ", ".join(f"?{i}" for i in range(1, first))
    names = ", ".join(
        connection.ops.quote_name(READING_COLUMNS[i]) for i in _SHARED + _OWN
    )

    def statement(count: int) -> str:
        values = ", ".join(
            "("
            + ", ".join([head] + [f"?{first + j * width + k}" for k in range(width)])
            + ")"
            for j in range(count)
        )
        return f"INSERT OR IGNORE INTO {_table()} ({names}) VALUES {values}"  # noqa: S608

    whole = statement(per_statement)
    shared_values = list(shared)

    def work(block: Sequence[ReadingTuple]) -> list[tuple[str, list[list[Any]]]]:
        """The statements of ``block`` and their parameters."""
        own = list(chain.from_iterable(zip(*_own_columns(block), strict=True)))
        step = per_statement * width
        full = len(own) - len(own) % step
        out = [
            (whole, [shared_values + own[i : i + step] for i in range(0, full, step)])
        ]
        if full < len(own):
            out.append(
                (statement((len(own) - full) // width), [shared_values + own[full:]])
            )
        return out

    batch = per_statement * max(1, BATCH_ROWS // per_statement)
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            for sql, parameters in work(rows[start : start + batch]):
                cursor.executemany(sql, parameters)
                inserted += max(cursor.rowcount, 0)
    return inserted


def _sqlite_parameter_limit() -> int:
    """The bound parameters a statement may have on this SQLite library (Django
    assumes the 999 of old versions; 3.32 and later allow 32,766)."""
    connection.ensure_connection()
    return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _postgresql_insert(rows: Sequence[ReadingTuple]) -> int:
    """COPY the rows that are not stored straight into the table; should another
    writer store one of them meanwhile (the unique constraint stops the COPY),
    roll back to before it and take the path that skips stored rows."""
    fresh = _not_stored(rows)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                _copy(cursor, _table(), fresh)
        return len(fresh)
    except IntegrityError:
        return _copy_then_insert(rows)


def _not_stored(rows: Sequence[ReadingTuple]) -> list[ReadingTuple]:
    """The rows whose (register, day, kind) is not stored, and not repeated."""
    registers = sorted({row[0] for row in rows})
    days = [row[1] for row in rows]
    stored = set(
        Reading.objects.filter(
            register_id__in=registers, read_on__gte=min(days), read_on__lte=max(days)
        ).values_list("register_id", "read_on", "kind")
    )
    keys = list(map(itemgetter(0, 1, 3), rows))
    if stored.isdisjoint(keys) and len(set(keys)) == len(keys):
        return list(rows)
    fresh = []
    for row in rows:
        key = (row[0], row[1], row[3])
        if key not in stored:
            stored.add(key)
            fresh.append(row)
    return fresh


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
        _copy(cursor, _STAGING, rows)
        cursor.execute(
            f"INSERT INTO {_table()} ({columns}) SELECT {columns} FROM {_STAGING} "  # noqa: S608
            "ON CONFLICT (register_id, read_on, kind) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGING}")
    return inserted


def _copy(cursor: Any, table: str, rows: Sequence[ReadingTuple]) -> None:
    """COPY ``rows`` into ``table`` in PostgreSQL's text format, written here in
    blocks of lines: psycopg's ``write_row`` formats one row per Python call."""
    shared = _shared(rows)
    if shared is not None:
        _copy_shared(cursor, table, rows, shared)
        return
    statement = f"COPY {table} ({_columns()}) FROM STDIN"
    # psycopg's errors as Django's (a unique violation: IntegrityError)
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for start in range(0, len(rows), BATCH_ROWS):
            block = rows[start : start + BATCH_ROWS]
            copy.write("".join(map(_copy_line, block)).encode())


def _copy_shared(
    cursor: Any, table: str, rows: Sequence[ReadingTuple], shared: tuple[Any, ...]
) -> None:
    """``_copy`` of rows that share all but their register, day and value: those
    three columns come first on each line, the shared ones follow as one text
    written once (one ``str.format`` a row instead of fifteen conversions)."""
    names = ", ".join(
        connection.ops.quote_name(READING_COLUMNS[i]) for i in _OWN + _SHARED
    )
    tail = "\t".join(map(_copy_value, shared))
    line = "{}\t{}\t{}\t" + tail.replace("{", "{{").replace("}", "}}") + "\n"
    registers, days, values = _own_columns(rows)
    statement = f"COPY {table} ({names}) FROM STDIN"
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for start in range(0, len(rows), BATCH_ROWS):
            stop = start + BATCH_ROWS
            block = map(
                line.format,
                registers[start:stop],
                days[start:stop],
                values[start:stop],
            )
            copy.write("".join(block).encode())


def _copy_line(row: ReadingTuple) -> str:
    """One row in COPY text format: tab between the columns, \\N for NULL, and
    backslash, tab, newline and carriage return escaped in texts."""
    return "\t".join(map(_copy_value, row)) + "\n"


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _needs_escape(value) else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)  # int, Decimal


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _batches(rows: Iterable[ReadingTuple], size: int) -> Iterable[list[ReadingTuple]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk
