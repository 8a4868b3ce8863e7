"""Meter readings in our documented CSV layout (docs/formats/readings-csv.md).

A header row names the columns; a column map lets a branch keep its own headers.
The delimiter is sniffed among comma, semicolon and tab; with a semicolon, a decimal
comma is accepted. The XLSX reader shares the row rules below.

``read_fields`` is ``read`` without the ``ReadingRow`` objects: plain named tuples,
for imports of millions of rows. A row whose date is ISO and whose value is a plain
number takes a short path; any other row goes through the full rules, so both give
the same rows and the same errors. ``read_columns`` reads a file of only meter,
date and value as columns (split by pyarrow): the short path's rows a column at a
time, the others by the full rules; ``read_fields`` uses it whenever it can.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, cast

from .errors import FormatError, InvalidFormat, InvalidValue, ReadResult
from .readings import ReadingRow

COLUMNS = ("meter", "register", "date", "value", "kind", "unit", "quality")
OPTIONAL_TEXT_COLUMNS = ("reader", "note")
REQUIRED = ("meter", "date", "value")

# Option value → the pattern of a date and the order of its day, month, year groups.
DATE_FORMATS = {
    "DD.MM.YYYY": re.compile(r"(\d{2})\.(\d{2})\.(\d{4})"),
    "DD/MM/YYYY": re.compile(r"(\d{2})/(\d{2})/(\d{4})"),
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")

_UNITS = {
    "kwh": "kWh",
    "mwh": "MWh",
    "wh": "Wh",
    "kvarh": "kVArh",
    "gj": "GJ",
    "mj": "MJ",
    "m3": "m3",
    "m³": "m3",
    "m^3": "m3",
    "l": "l",
    "units": "units",
}
_QUALITIES = frozenset("AESFNV")
# Earlier read dates are refused: they are blank dates that a spreadsheet or a
# system clock filled in (0001-01-01, 1900-01-01), not readings.
EARLIEST_DATE = datetime.date(1970, 1, 1)
# Columns that a file of only meter, date and value does without.
_EXTRA_COLUMNS = frozenset({"register", "kind", "unit", "quality"})


class ReadingFields(NamedTuple):
    """A good row as plain fields: a ``ReadingRow`` without its defaults."""

    line: int
    meter_ref: str
    register: str
    read_on: datetime.date
    kind: str  # "index" | "consumption"
    value: Decimal
    unit: str
    quality: str


@dataclass(frozen=True)
class Layout:
    """Where each of our columns is in the file (None: absent)."""

    file: str
    positions: dict[str, int]
    date_format: str | None
    decimal_comma: bool
    latest_date: datetime.date  # later dates are refused as in the future


def read(
    data: bytes | str,
    *,
    filename: str = "",
    column_map: Mapping[str, str] | None = None,
    date_format: str | None = None,
    today: datetime.date | None = None,
) -> ReadResult[ReadingRow]:
    """Read a CSV file of readings: good rows, and one error per rejected row."""
    fields = read_fields(
        data,
        filename=filename,
        column_map=column_map,
        date_format=date_format,
        today=today,
    )
    return ReadResult([_reading_row(f) for f in fields.rows], fields.errors)


def read_fields(
    data: bytes | str,
    *,
    filename: str = "",
    column_map: Mapping[str, str] | None = None,
    date_format: str | None = None,
    today: datetime.date | None = None,
) -> ReadResult[ReadingFields]:
    """``read``, with each good row as a ``ReadingFields`` tuple."""
    text = data if isinstance(data, str) else decode(data, filename)
    columns = read_columns(
        text,
        filename=filename,
        column_map=column_map,
        date_format=date_format,
        today=today,
    )
    if columns is not None:
        return ReadResult(columns.fields(), columns.errors)
    delimiter = _sniff(text)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    result: ReadResult[ReadingFields] = ReadResult()
    good, errors = result.rows.append, result.errors.append
    layout = None
    # the short path, once the header shows only columns that it reads
    quick: Callable[[list[str], int], ReadingFields | None] | None = None
    line = 1  # the first line of the record being read
    try:
        for cells in rows:
            first_line, line = line, rows.line_num + 1
            if quick is not None:
                fields = quick(cells, first_line)
                if fields is not None:
                    good(fields)
                    continue
            if not any(c.strip() for c in cells):
                continue
            if layout is None:
                layout = header_layout(
                    cells, first_line, filename, column_map, date_format, today
                )
                layout = replace(layout, decimal_comma=delimiter == ";")
                if not (_EXTRA_COLUMNS & layout.positions.keys()):
                    quick = _quick_reader(layout)
                continue
            try:
                good(_fields(cells, first_line, layout))
            except FormatError as error:
                errors(error)
    except csv.Error as e:
        raise InvalidFormat(f"unreadable CSV ({e})", file=filename) from e
    if layout is None:
        raise InvalidFormat("the file has no header row", file=filename, line=1)
    return result


def _quick_reader(layout: Layout) -> Callable[[list[str], int], ReadingFields | None]:
    """The short path for a file with only meter, date and value columns: a row
    whose date is ISO (YYYY-MM-DD) and whose value is a plain number; None sends
    the row to ``_fields``.

    It accepts a subset of what ``_fields`` accepts, with the same result: an ASCII
    number without exponent, underscore or inner space that ``Decimal`` reads and
    that is finite matches ``_NUMBER``. A file's rows share few dates, so each date
    text is checked once (up to ``_DATES_KEPT`` of them).
    """
    meter_at = layout.positions["meter"]
    date_at = layout.positions["date"]
    value_at = layout.positions["value"]
    latest = layout.latest_date
    dates: dict[str, datetime.date | None] = {}

    def date_of(day: str) -> datetime.date | None:
        if len(day) != 10 or day[4] != "-" or day[7] != "-":
            return None
        try:
            read_on = datetime.date.fromisoformat(day)
        except ValueError:
            return None
        return read_on if EARLIEST_DATE <= read_on <= latest else None

    def quick(cells: list[str], line: int) -> ReadingFields | None:
        try:
            meter = cells[meter_at].strip()
            day = cells[date_at].strip()
            number = cells[value_at].strip()
        except IndexError:
            return None
        read_on = dates.get(day, _UNSEEN)
        if read_on is _UNSEEN:
            read_on = date_of(day)
            if len(dates) < _DATES_KEPT:
                dates[day] = read_on
        if (
            read_on is None
            or not meter
            or not number.isascii()
            or "e" in number
            or "E" in number
            or "_" in number
            or "," in number
        ):
            return None
        try:
            value = Decimal(number)
        except (ValueError, ArithmeticError):
            return None
        if not value.is_finite() or value < 0:
            return None
        return ReadingFields(line, meter, "", read_on, "index", value, "", "A")

    return quick


_UNSEEN: Any = object()
_DATES_KEPT = 100_000


@dataclass
class Columns:
    """The good rows of a file in the common layout (meter, date and value only),
    as columns, with the rows the full rules read.

    ``lines``, ``meters``, ``days`` and ``values`` are the rows that the short path
    of ``read_fields`` reads; such a row's ``ReadingFields`` is (line, meter, "",
    day, "index", Decimal(value), "", "A"): each meter is its own stripped text and
    each value the text of its ``Decimal`` (no sign, no leading zero, no exponent).
    ``rest`` and ``errors`` are the other rows, read by ``_fields``.
    """

    lines: list[int]
    meters: list[str]
    days: list[datetime.date]
    values: list[str]
    rest: list[ReadingFields]
    errors: list[FormatError]

    def fields(self) -> list[ReadingFields]:
        """Every good row as ``read_fields`` gives it, in line order."""
        common = [
            ReadingFields(line, meter, "", day, "index", Decimal(value), "", "A")
            for line, meter, day, value in zip(
                self.lines, self.meters, self.days, self.values, strict=True
            )
        ]
        return sorted(common + self.rest, key=lambda f: f.line)


def read_columns(
    data: bytes | str,
    *,
    filename: str = "",
    column_map: Mapping[str, str] | None = None,
    date_format: str | None = None,
    today: datetime.date | None = None,
    digits: tuple[int, int] = (14, 6),
    significant: int | None = None,
) -> Columns | None:
    """``read_fields`` as columns, for a file whose header names only the meter,
    date and value columns of our layout; None for any other file, which
    ``read_fields`` reads.

    The file is split into cells by pyarrow (C++, on all cores), and the cells are
    checked a column at a time: the short path's rows whose value has at most
    ``digits`` (integer digits, decimals) and, when given, at most ``significant``
    significant digits are the columns; every other row goes through ``_fields``.
    Only a file that pyarrow splits exactly as the ``csv`` module does is read
    here, so the line of each row is known: no quote character, no line end but
    LF or CR LF, the same number of cells on every line after the header, no cell
    beyond the ``csv`` module's limit, and no byte order mark opening the line
    after the header (pyarrow drops it, the ``csv`` module keeps it in the cell).
    Lines of empty cells before the header are skipped, as ``read_fields`` does.
    """
    text = data if isinstance(data, str) else decode(data, filename)
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    head = _head(text)
    if head is None:
        return None
    header_line, headers, delimiter, body = head
    if not body.strip() or body.startswith("\ufeff"):
        return None
    layout = header_layout(
        headers, header_line, filename, column_map, date_format, today
    )
    layout = replace(layout, decimal_comma=delimiter == ";")
    if _EXTRA_COLUMNS & layout.positions.keys():
        return None
    table = _table(body, delimiter, len(headers))
    if table is None:
        return None
    return _columns(table, layout, digits, significant, header_line + 1)


def _head(text: str) -> tuple[int, list[str], str, str] | None:
    """The header of a text without quotes or lone CRs: its line, its cells, the
    delimiter and the text after it; None when no line follows it.

    As in ``read_fields``: the delimiter is sniffed on the first line that is not
    blank, and the header is the first line with a cell that is not blank."""
    start, line, delimiter = 0, 1, None
    while (end := text.find("\n", start)) >= 0:
        head = text[start:end].removesuffix("\r")
        if head.strip():
            delimiter = delimiter or _sniff(head)  # as _sniff of the whole text
            cells = next(csv.reader([head], delimiter=delimiter), [])
            if any(c.strip() for c in cells):
                return line, cells, delimiter, text[end + 1 :]
        start, line = end + 1, line + 1
    return None


def _table(body: str, delimiter: str, width: int) -> Any:
    """The cells of ``body`` as a pyarrow table of ``width`` text columns (a blank
    line is a row of empty cells), or None when pyarrow reads the lines otherwise
    than the ``csv`` module would."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(body.encode()),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None  # a line of another width: the csv module says what is wrong
    limit = csv.field_size_limit()
    for column in table.columns:
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > limit:
            return None  # the csv module refuses the file
    return table


def _columns(
    table: Any,
    layout: Layout,
    digits: tuple[int, int],
    significant: int | None,
    first_line: int,
) -> Columns:
    """The rows of ``table``, whose first row is the file's line ``first_line``."""
    import pyarrow.compute as pc

    def column(name: str) -> Any:
        return table.column(f"c{layout.positions[name]}").combine_chunks()

    meters, days, values = column("meter"), column("date"), column("value")
    integer_digits, places = digits
    # A meter that starts and ends with a printable ASCII character is its own
    # stripped text; a value in this form is the text of its Decimal.
    plain_meter = pc.match_substring_regex(meters, r"^[!-~](.*[!-~])?$")
    plain_value = pc.match_substring_regex(
        values, rf"^(0|[1-9][0-9]{{0,{integer_digits - 1}}})(\.[0-9]{{1,{places}}})?$"
    )
    if significant is not None:
        plain_value = pc.and_(plain_value, _few_digits(values, significant))
    encoded = pc.dictionary_encode(days)
    day_of = [_iso_day(text, layout) for text in encoded.dictionary.to_pylist()]
    known_day = pc.take(_flags([d is not None for d in day_of]), encoded.indices)
    common = pc.and_(pc.and_(plain_meter, plain_value), known_day)

    at = pc.indices_nonzero(common)
    day_index = pc.take(encoded.indices, at).to_pylist()
    result = Columns(
        lines=list(map(first_line.__add__, at.to_pylist())),
        meters=pc.take(meters, at).to_pylist(),
        # a common row's day is known
        days=cast(
            "list[datetime.date]", list(map(dict(enumerate(day_of)).get, day_index))
        ),
        values=pc.take(values, at).to_pylist(),
        rest=[],
        errors=[],
    )
    others = pc.indices_nonzero(pc.invert(common))
    cells = zip(*(c.to_pylist() for c in table.take(others).columns), strict=True)
    for index, row in zip(others.to_pylist(), cells, strict=True):
        if not any(c.strip() for c in row):
            continue  # a blank line
        try:
            result.rest.append(_fields(row, index + first_line, layout))
        except FormatError as error:
            result.errors.append(error)
    return result


def _few_digits(values: Any, significant: int) -> Any:
    """Which plain value texts have at most ``significant`` digits from their
    first to their last non-zero one; only texts longer than that are counted."""
    import pyarrow.compute as pc

    long = pc.greater(pc.utf8_length(values), significant)
    if not pc.any(long).as_py():
        return pc.invert(long)
    digits = pc.utf8_trim(pc.replace_substring(values, ".", ""), "0")
    return pc.less_equal(pc.utf8_length(digits), significant)


def _flags(values: list[bool]) -> Any:
    """A pyarrow boolean array, built from its bits: ``pa.array`` and Python
    scalars make pyarrow import pandas (a second) to check what they are."""
    import pyarrow as pa

    bits = sum(1 << i for i, value in enumerate(values) if value)
    bitmap = bits.to_bytes((len(values) + 7) // 8, "little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bitmap)])


def _iso_day(text: str, layout: Layout) -> datetime.date | None:
    """The day of an ISO date text that the short path takes, else None."""
    if not (
        len(text) == 10
        and text.isascii()
        and text[4] == text[7] == "-"
        and (text[:4] + text[5:7] + text[8:]).isdigit()
    ):
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= layout.latest_date else None


def decode(raw: bytes, file: str) -> str:
    """UTF-16 LE or BE by its byte order mark; else UTF-8 (with or without BOM);
    else cp1252. Bytes with a NUL in them, or that none of these decodes, are not
    a text file."""
    not_text = InvalidFormat("not a text file in UTF-8, UTF-16 or cp1252", file=file)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    if b"\0" in raw:
        raise not_text
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise not_text


def _sniff(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_layout(
    headers: Sequence[object],
    line: int,
    file: str,
    column_map: Mapping[str, str] | None,
    date_format: str | None,
    today: datetime.date | None,
) -> Layout:
    """Find our columns in a header row; a missing required column is fatal."""
    wanted = {name: name for name in COLUMNS + OPTIONAL_TEXT_COLUMNS}
    for ours, theirs in (column_map or {}).items():
        if ours not in wanted:
            raise InvalidFormat(f"the column map names no column {ours!r}", file=file)
        wanted[ours] = theirs
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = clean(header).lower()
        if key and key in found:
            raise InvalidFormat(
                f"column {key!r} appears twice", file=file, line=line, field=key
            )
        found.setdefault(key, i)
    positions = {}
    for ours, theirs in wanted.items():
        position = found.get(theirs.strip().lower())
        if position is None and ours in REQUIRED:
            raise InvalidFormat(
                f"required column {theirs!r} is missing",
                file=file,
                line=line,
                field=ours,
            )
        if position is not None:
            positions[ours] = position
    if date_format is not None and date_format.upper() not in DATE_FORMATS:
        raise InvalidFormat(f"unknown date format option {date_format!r}", file=file)
    latest = (today or datetime.date.today()) + datetime.timedelta(days=1)  # noqa: DTZ011
    return Layout(file, positions, date_format and date_format.upper(), False, latest)


def add_row(
    result: ReadResult[ReadingRow], cells: Sequence[object], line: int, layout: Layout
) -> None:
    """Append the row, or its first problem as an error."""
    try:
        result.rows.append(_reading_row(_fields(cells, line, layout)))
    except FormatError as error:
        result.errors.append(error)


def _reading_row(f: ReadingFields) -> ReadingRow:
    return ReadingRow(
        line=f.line,
        meter_ref=f.meter_ref,
        register=f.register,
        read_on=f.read_on,
        value=f.value,
        kind="index" if f.kind == "index" else "consumption",
        unit=f.unit,
        quality=f.quality,
        source_ref=f"readings file line {f.line}",
    )


def _fields(cells: Sequence[object], line: int, layout: Layout) -> ReadingFields:
    def cell(name: str) -> object:
        position = layout.positions.get(name)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def reject(name: str, message: str) -> InvalidValue:
        return InvalidValue(message, file=layout.file, line=line, field=name)

    meter = clean(cell("meter"))
    if not meter:
        raise reject("meter", "is empty")
    read_on = _date(cell("date"), layout.date_format)
    if read_on is None:
        raise reject("date", f"{clean(cell('date'))[:30]!r} is not a date")
    if read_on > layout.latest_date:
        raise reject("date", f"{read_on.isoformat()} is in the future")
    if read_on < EARLIEST_DATE:
        raise reject("date", f"{read_on.isoformat()} is before {EARLIEST_DATE}")
    value = _decimal(cell("value"), layout.decimal_comma)
    if value is None:
        raise reject("value", f"{clean(cell('value'))[:30]!r} is not a number")
    kind = clean(cell("kind")).lower() or "index"
    if kind not in ("index", "consumption"):
        raise reject("kind", f"{kind[:30]!r} is neither index nor consumption")
    if kind == "index" and value < 0:
        raise reject("value", f"{value}: an index cannot be negative")
    quality = clean(cell("quality")).upper() or "A"
    if quality[0] not in _QUALITIES:
        raise reject("quality", f"{quality[:30]!r} is not one of A E S F N V")
    return ReadingFields(
        line,
        meter,
        clean(cell("register")),
        read_on,
        kind,
        value,
        normalise_unit(clean(cell("unit"))),
        quality[0],
    )


def normalise_unit(unit: str) -> str:
    """``KWH`` → ``kWh``, ``m³`` → ``m3``; an unknown unit is kept as given."""
    return _UNITS.get(unit.lower(), unit)


def clean(value: object) -> str:
    return "" if value is None else str(value).strip()


def _date(value: object, date_format: str | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean(value)
    try:
        iso = _ISO_DATE.fullmatch(text)
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        other = DATE_FORMATS[date_format].fullmatch(text) if date_format else None
        if other:
            return datetime.date(int(other[3]), int(other[2]), int(other[1]))
    except ValueError:
        return None
    return None


def _decimal(value: object, decimal_comma: bool) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        # Spreadsheet cells arrive as floats; their shortest repr is the stored text.
        return (
            Decimal(repr(value))
            if value == value and abs(value) != float("inf")
            else None
        )
    text = clean(value).replace(" ", "")
    if decimal_comma and "," in text and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
