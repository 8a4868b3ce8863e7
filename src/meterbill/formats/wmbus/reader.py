"""Read a file of captured telegrams into register readings.

One telegram a line, hex, optionally preceded by an ISO 8601 timestamp and a
separator (``;``, ``,``, space or tab); or JSON lines ``{"telegram": "…",
"timestamp": "…"}``. Blank lines and lines starting with ``#`` are skipped.

A line may hold several telegrams of one meter back to back, as receivers log a
burst (``link.split_frames``); its registers are those of all of them, a later
telegram's value replacing an earlier one of the same register.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from meterbill.formats.errors import (
    FormatError,
    InvalidFormat,
    InvalidValue,
    ReadResult,
)

from .flags import telegram_flags
from .telegram import FormatCache, Telegram, decode_all

_UNITS = {"_m3": "m3", "_kwh": "kWh", "_hca": "HCA"}
_SET_DATE_REGISTERS = {
    "consumption_at_set_date_hca",
    "volume_at_set_date_m3",
    "energy_at_set_date_kwh",
}
# ASCII digits only: \d would take the digits of every script.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
# A key's meter id: the reader only needs it to be hex (``ids`` says what to store).
_HEX_ID = re.compile(r"[0-9A-Fa-f]{1,16}")
# A timestamp of any shape, a separator, then the telegram: the timestamp is then
# checked against _TIMESTAMP, so that a damaged one is named as such.
_PREFIXED = re.compile(
    r"^(?P<timestamp>\S[^;,\t]*?)\s*[;,\s]\s*(?P<telegram>[0-9A-Fa-f]+)$"
)


@dataclass(frozen=True)
class TelegramReading:
    """One register value of one telegram."""

    meter_id: str
    manufacturer: str
    register: str  # total_m3, total_energy_consumption_kwh, current_consumption_hca…
    value: Decimal
    unit: str
    read_on: date | None  # the set date for set-date registers, else the capture day
    line: int
    # Status words of the telegram (formats.wmbus.flags): "fault", "alarm"…
    flags: frozenset[str] = frozenset()


def read(
    data: bytes | str,
    *,
    filename: str = "",
    keys: Mapping[str, bytes | str] | None = None,
    time_zone: tzinfo | None = None,
) -> ReadResult[TelegramReading]:
    """Decode every telegram of the file; one error per line that cannot be read.

    Compact frames are decoded with the formats of the file's full frames, wherever
    in the file those come. A key whose meter id or value is not hex is left out
    with an error of its own (no line): the other meters' telegrams are still read.
    Capture days are taken in ``time_zone`` (the branch's), see ``_timestamp``.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    result: ReadResult[TelegramReading] = ReadResult()
    meter_keys = _normalised_keys(keys or {}, filename, result.errors)
    entries: list[tuple[int, bytes, date | None]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entries.append((number, *_parse_line(line, time_zone)))
        except FormatError as exc:
            exc.line = number
            result.errors.append(exc.located(filename))

    formats: FormatCache = {}
    for _number, telegram, _read_on in entries:
        _learn(telegram, meter_keys, formats)
    for number, telegram, read_on in entries:
        try:
            result.rows += _line_readings(
                telegram, read_on, number, meter_keys, formats
            )
        except FormatError as exc:
            exc.line, exc.field = number, exc.field or "telegram"
            result.errors.append(exc.located(filename))
    return result


def _line_readings(
    telegram: bytes,
    read_on: date | None,
    number: int,
    keys: Mapping[str, bytes],
    formats: FormatCache,
) -> list[TelegramReading]:
    """The readings of one line, a later frame's register replacing an earlier's."""
    frames = decode_all(telegram, _key_for(telegram, keys), formats=formats)
    rows = {}
    for decoded in frames:
        for row in _readings(decoded, read_on, number):
            rows[(row.meter_id, row.register)] = row
    return list(rows.values())


def _normalised_keys(
    keys: Mapping[str, bytes | str], filename: str, errors: list[FormatError]
) -> dict[str, bytes]:
    out = {}
    for meter, key in keys.items():
        problem = None
        if not _HEX_ID.fullmatch(meter):
            problem = f"meter id {meter[:16]!r} is not hexadecimal"
        try:
            value = bytes.fromhex(key) if isinstance(key, str) else key
        except ValueError:
            problem = problem or f"the key of meter {meter[:16]!r} is not hex"
        if problem:
            errors.append(InvalidValue(problem, file=filename, field="key"))
            continue
        out[meter.lower()] = value
    return out


def _parse_line(line: str, time_zone: tzinfo | None) -> tuple[bytes, date | None]:
    stripped = line.strip()
    if stripped.startswith("{"):
        return _parse_json_line(stripped, time_zone)
    match = _PREFIXED.match(stripped)
    if match:
        return _hex(match["telegram"]), _timestamp(match["timestamp"], time_zone)
    return _hex(stripped), None


def _parse_json_line(text: str, time_zone: tzinfo | None) -> tuple[bytes, date | None]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFormat(f"not a JSON object: {exc.msg}", field="telegram") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("telegram"), str):
        raise InvalidFormat("JSON line without a telegram string", field="telegram")
    stamp = obj.get("timestamp")
    read_on = _timestamp(stamp, time_zone) if isinstance(stamp, str) else None
    return _hex(obj["telegram"]), read_on


def _hex(text: str) -> bytes:
    digits = text.strip()
    if len(digits) % 2:
        # A lone last digit is half a byte: the line was damaged or cut.
        raise InvalidValue(
            f"telegram has an odd number of hex digits ({len(digits)})",
            field="telegram",
        )
    try:
        return bytes.fromhex(digits)
    except ValueError as exc:
        raise InvalidValue("telegram is not hexadecimal", field="telegram") from exc


def _timestamp(text: str, time_zone: tzinfo | None) -> date:
    """The day of the capture in ``time_zone``; a timestamp without an offset is
    taken as already in it, and without ``time_zone`` each keeps its own offset."""
    try:
        if not _TIMESTAMP.fullmatch(text):
            raise ValueError(text)
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidValue(
            f"invalid timestamp {text[:40]!r}: use ISO 8601, "
            "YYYY-MM-DDThh:mm:ss with Z or an offset",
            field="timestamp",
        ) from exc
    if time_zone is not None and stamp.tzinfo is not None:
        stamp = stamp.astimezone(time_zone)
    return stamp.date()


def _key_for(telegram: bytes, keys: Mapping[str, bytes]) -> bytes | None:
    """The key of the meter whose id the link layer or a long TPL header carries."""
    if len(telegram) >= 8:
        link_id = telegram[4:8][::-1].hex()
        if link_id in keys:
            return keys[link_id]
    for meter, key in keys.items():
        if bytes.fromhex(meter.zfill(8))[::-1] in telegram:
            return key
    return None


def _learn(telegram: bytes, keys: Mapping[str, bytes], formats: FormatCache) -> None:
    try:
        decode_all(telegram, _key_for(telegram, keys), formats=formats)
    except FormatError:
        return


def _readings(
    telegram: Telegram, captured_on: date | None, line: int
) -> list[TelegramReading]:
    values = telegram.billing_values()
    set_date = values.get("set_date")
    flags = telegram_flags(telegram)
    rows = []
    for register, value in values.items():
        if not isinstance(value, Decimal):
            continue
        read_on = captured_on
        if register in _SET_DATE_REGISTERS:
            read_on = set_date if isinstance(set_date, date) else None
        unit = next(
            (u for suffix, u in _UNITS.items() if register.endswith(suffix)), ""
        )
        rows.append(
            TelegramReading(
                meter_id=telegram.id,
                manufacturer=telegram.manufacturer,
                register=register,
                value=value,
                unit=unit,
                read_on=read_on,
                line=line,
                flags=flags,
            )
        )
    return rows
