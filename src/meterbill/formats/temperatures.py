"""Daily mean outdoor temperatures for the advance forecast, from a CSV file:

    date,temperature_c
    2025-12-01,0.5
    2025-12-02,-1.25

A header line is required (the column names above, in any order; extra columns are
ignored); the separator is a comma or a semicolon; a decimal comma is accepted when
the separator is a semicolon. One row per day; a day given twice is an error. Dates
are YYYY-MM-DD; values are plain numbers in ASCII digits with at most
``DECIMAL_PLACES`` decimals (what is stored: more would be rounded away, so they are
refused), kept as Decimal exactly as written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from meterbill.engine.numbers import NotANumber, plain_decimal

from .errors import FormatError, InvalidFormat, InvalidValue, ReadResult

COLUMNS = ("date", "temperature_c")
# metering.TemperatureDay.mean_c has 2 decimals.
DECIMAL_PLACES = 2
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Colder than the coldest and warmer than the hottest air temperature ever measured.
PLAUSIBLE_C = (Decimal(-90), Decimal(60))


def read(text: str, file: str = "") -> ReadResult[tuple[date, Decimal]]:
    """The (day, °C) rows of the file and one error per rejected row."""
    dialect = ";" if text.split("\n", 1)[0].count(";") else ","
    rows = csv.reader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().lower() for h in next(_bounded(rows, file), [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidFormat(
            f"header must name the columns {', '.join(COLUMNS)}; "
            f"missing {', '.join(missing)}",
            file=file,
            line=1,
        )
    at = {c: header.index(c) for c in COLUMNS}
    result: ReadResult[tuple[date, Decimal]] = ReadResult()
    seen: dict[date, int] = {}
    for number, row in enumerate(_bounded(rows, file), start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            day, value = _row(row, at, dialect)
            if day in seen:
                raise InvalidValue(
                    f"{day} already given on line {seen[day]}", field="date"
                )
        except FormatError as exc:
            exc.line, exc.file = number, file
            result.errors.append(exc)
            continue
        seen[day] = number
        result.rows.append((day, value))
    return result


def _bounded(rows: Iterator[list[str]], file: str) -> Iterator[list[str]]:
    """The rows of ``rows``; a row the csv module cannot split (a field over its
    limit, 128 kB) refuses the file naming its line, not an "unexpected error"."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidFormat(
                f"cannot be read as CSV: {exc}",
                file=file,
                line=getattr(rows, "line_num", None),
            ) from None
        yield row


def _row(row: list[str], at: dict[str, int], dialect: str) -> tuple[date, Decimal]:
    if len(row) <= max(at.values()):
        raise InvalidValue("too few columns", field=COLUMNS[1])
    text = row[at["date"]].strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            f"{text[:40]!r} is not a date (YYYY-MM-DD)", field="date"
        ) from None
    raw = row[at["temperature_c"]].strip()
    try:
        value = plain_decimal(
            raw, comma=dialect == ";", negative=True, places=DECIMAL_PLACES
        )
    except NotANumber as exc:
        raise InvalidValue(str(exc), field="temperature_c") from None
    if not PLAUSIBLE_C[0] <= value <= PLAUSIBLE_C[1]:
        raise InvalidValue(
            f"{raw} °C is not a plausible air temperature", field="temperature_c"
        )
    return day, value
