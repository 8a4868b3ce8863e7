"""Mobile reading routes: the stops sent to a device and the readings it sends back.

``export_route`` writes a route twice, as JSON and as CSV (see
``docs/formats/mobile-route.md``); ``read_device_result`` reads what a device returns,
JSON or CSV, strictly: an unknown column or key, a missing header or a file that is
not a result file raises ``InvalidFormat``; a reading with a bad value goes into
``ReadResult.errors``. A reading carries either a value or a skipped reason, never
both. ``read_at`` must carry a UTC offset: devices travel across zones and clocks.

Numbers are written and read as text into Decimal. In a JSON result a value may be a
string or a JSON number (parsed straight into Decimal); ``line`` is the reading's
1-based position in ``readings``. In CSV, ``line`` is the physical line of the file.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from . import csv_safe
from .errors import InvalidFormat, InvalidValue, ReadResult

ROUTE_FORMAT = "meterbill-route"
RESULT_FORMAT = "meterbill-route-result"
VERSION = 1

STOP_FIELDS = (
    "walking_order",
    "residence",
    "staircase",
    "apartment",
    "utility",
    "meter_serial",
    "register",
    "last_index",
    "last_read_on",
    "expected_min",
    "expected_max",
)
RESULT_FIELDS = (
    "meter_serial",
    "register",
    "value",
    "read_at",
    "reader_id",
    "photo_ref",
    "note",
    "skipped_reason",
)
REQUIRED_RESULT_FIELDS = ("meter_serial", "register", "read_at", "reader_id")
MAX_TEXT = 500  # a note longer than this is a device fault, not a note

_NUMBER = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")


@dataclass(frozen=True, slots=True)
class RouteStop:
    """One register to read on a route, with what the reader must expect there."""

    residence: str
    staircase: str
    apartment: str
    walking_order: int  # the reader visits stops in ascending order
    meter_serial: str
    register: str
    utility: str
    last_index: Decimal | None
    last_read_on: datetime.date | None
    expected_min: Decimal | None  # lowest plausible next index
    expected_max: Decimal | None  # highest plausible next index


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """A reading taken on a route; ``value`` is None when the stop was skipped."""

    line: int
    meter_serial: str
    register: str
    value: Decimal | None
    read_at: datetime.datetime  # aware
    reader_id: str
    photo_ref: str = ""
    note: str = ""
    skipped_reason: str = ""


def export_route(stops: list[RouteStop]) -> tuple[bytes, bytes]:
    """The route as (JSON, CSV) bytes, stops in walking order, UTF-8."""
    ordered = sorted(stops, key=lambda s: s.walking_order)
    records = [_stop_record(stop) for stop in ordered]
    document = {"format": ROUTE_FORMAT, "version": VERSION, "stops": records}
    json_bytes = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=STOP_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_safe.row(record) for record in records)
    return json_bytes, buffer.getvalue().encode("utf-8")


def _stop_record(stop: RouteStop) -> dict[str, Any]:
    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    return {name: text(getattr(stop, name)) for name in STOP_FIELDS} | {
        "walking_order": stop.walking_order
    }


def read_device_result(
    data: bytes | str, filename: str = ""
) -> ReadResult[DeviceReading]:
    """Read a device's result file, JSON or CSV (told apart by the first character)."""
    text = _decode(data, filename)
    if not text.strip():
        raise InvalidFormat("the file is empty", file=filename)
    if text.lstrip().startswith("{"):
        return _read_json(text, filename)
    return _read_csv(text, filename)


def read(data: bytes | str, *, filename: str = "") -> ReadResult[DeviceReading]:
    """The reader API shared with the other formats."""
    return read_device_result(data, filename)


def _decode(data: bytes | str, filename: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidFormat("the file is not UTF-8 text", file=filename) from e


def _read_json(text: str, filename: str) -> ReadResult[DeviceReading]:
    try:
        document = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, RecursionError) as e:
        raise InvalidFormat(f"not valid JSON ({e})", file=filename) from e
    if not isinstance(document, dict) or document.get("format") != RESULT_FORMAT:
        raise InvalidFormat(
            f"not a {RESULT_FORMAT} document", file=filename, field="format"
        )
    if document.get("version") != VERSION:
        raise InvalidFormat(
            f"version {str(document.get('version'))[:10]!r} is not {VERSION}",
            file=filename,
            field="version",
        )
    readings = document.get("readings")
    if not isinstance(readings, list):
        raise InvalidFormat("readings must be a list", file=filename, field="readings")
    result: ReadResult[DeviceReading] = ReadResult()
    for position, item in enumerate(readings, start=1):
        if not isinstance(item, dict):
            raise InvalidFormat(
                "a reading must be an object", file=filename, line=position
            )
        unknown = set(item) - set(RESULT_FIELDS)
        if unknown:
            raise InvalidFormat(
                "unknown key", file=filename, line=position, field=sorted(unknown)[0]
            )
        _collect(result, item, filename, position)
    return result


def _read_csv(text: str, filename: str) -> ReadResult[DeviceReading]:
    try:
        records = _physical_lines(text)
    except csv.Error as e:
        raise InvalidFormat(f"not readable CSV ({e})", file=filename) from e
    header = [name.strip() for name in records[0][1]]
    for name in header:
        if name not in RESULT_FIELDS:
            raise InvalidFormat(
                "unknown column", file=filename, line=1, field=name[:40] or "(empty)"
            )
    for name in REQUIRED_RESULT_FIELDS:
        if name not in header:
            raise InvalidFormat(
                "a required column is missing", file=filename, field=name
            )
    if len(set(header)) != len(header):
        raise InvalidFormat("a column appears twice", file=filename, line=1)
    result: ReadResult[DeviceReading] = ReadResult()
    line = 1
    for lines, fields in records[1:]:
        first_line, line = line + 1, line + lines
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            result.errors.append(
                InvalidValue(
                    f"{len(fields)} fields, the header has {len(header)}",
                    file=filename,
                    line=first_line,
                )
            )
            continue
        _collect(result, dict(zip(header, fields, strict=True)), filename, first_line)
    return result


def _physical_lines(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the number of physical lines since the previous record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records, seen = [], 0
    for fields in reader:
        records.append((reader.line_num - seen, fields))
        seen = reader.line_num
    return records


def _collect(
    result: ReadResult[DeviceReading],
    item: dict[str, Any],
    filename: str,
    line: int,
) -> None:
    try:
        result.rows.append(_reading(item, filename, line))
    except InvalidValue as error:
        result.errors.append(error)


def _reading(item: dict[str, Any], filename: str, line: int) -> DeviceReading:
    def reject(name: str, message: str) -> InvalidValue:
        return InvalidValue(message, file=filename, line=line, field=name)

    texts = {}
    for name in RESULT_FIELDS:
        value = item.get(name)
        if name == "value" and isinstance(value, Decimal):
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise reject(name, "must be text")
        texts[name] = (value or "").strip()
        if len(texts[name]) > MAX_TEXT:
            raise reject(name, f"longer than {MAX_TEXT} characters")
    for name in REQUIRED_RESULT_FIELDS:
        if not texts[name]:
            raise reject(name, "is empty")
    if bool(texts["value"]) == bool(texts["skipped_reason"]):
        raise reject("value", "give either a value or a skipped_reason, not both")
    value = None
    if texts["value"]:
        if not _NUMBER.fullmatch(texts["value"]):
            raise reject("value", f"{texts['value'][:20]!r} is not an index (0.000)")
        try:
            value = Decimal(texts["value"])
        except InvalidOperation as e:
            raise reject("value", "is not a number") from e
    return DeviceReading(
        line=line,
        meter_serial=texts["meter_serial"],
        register=texts["register"],
        value=value,
        read_at=_moment(texts["read_at"], reject),
        reader_id=texts["reader_id"],
        photo_ref=texts["photo_ref"],
        note=texts["note"],
        skipped_reason=texts["skipped_reason"],
    )


def _moment(text: str, reject: Any) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as e:
        raise reject("read_at", f"{text[:30]!r} is not an ISO 8601 date-time") from e
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise reject("read_at", "needs a UTC offset (e.g. +02:00 or Z)")
    return moment
