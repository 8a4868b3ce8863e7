"""Read a file of captured telegrams into register readings.

One telegram a line, hex, optionally preceded by an ISO 8601 timestamp and a
separator (``;``, ``,``, space or tab); or JSON lines ``{"telegram": "…",
"timestamp": "…"}``. Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from meterbill.formats.errors import (
    FormatError,
    InvalidFormat,
    InvalidValue,
    ReadResult,
)

from .telegram import FormatCache, Telegram, decode

_UNITS = {"_m3": "m3", "_kwh": "kWh", "_hca": "HCA"}
_SET_DATE_REGISTERS = {
    "consumption_at_set_date_hca",
    "volume_at_set_date_m3",
    "energy_at_set_date_kwh",
}
_PREFIXED = re.compile(
    r"^(?P<timestamp>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)\s*[;,\s]\s*(?P<telegram>[0-9A-Fa-f]+)$"
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


def read(
    data: bytes | str,
    *,
    filename: str = "",
    keys: Mapping[str, bytes | str] | None = None,
) -> ReadResult[TelegramReading]:
    """Decode every telegram of the file; one error per line that cannot be read.

    Compact frames are decoded with the formats of the file's full frames, wherever
    in the file those come.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    meter_keys = _normalised_keys(keys or {}, filename)
    entries: list[tuple[int, bytes, date | None]] = []
    result: ReadResult[TelegramReading] = ReadResult()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entries.append((number, *_parse_line(line)))
        except FormatError as exc:
            exc.line = number
            result.errors.append(exc.located(filename))

    formats: FormatCache = {}
    for _number, telegram, _read_on in entries:
        _learn(telegram, meter_keys, formats)
    for number, telegram, read_on in entries:
        try:
            decoded = decode(telegram, _key_for(telegram, meter_keys), formats=formats)
        except FormatError as exc:
            exc.line, exc.field = number, "telegram"
            result.errors.append(exc.located(filename))
            continue
        result.rows += _readings(decoded, read_on, number)
    return result


def _normalised_keys(
    keys: Mapping[str, bytes | str], filename: str
) -> dict[str, bytes]:
    out = {}
    for meter, key in keys.items():
        try:
            out[meter.lower()] = bytes.fromhex(key) if isinstance(key, str) else key
        except ValueError as exc:
            raise InvalidValue(
                f"key of meter {meter} is not hex", file=filename, field="key"
            ) from exc
    return out


def _parse_line(line: str) -> tuple[bytes, date | None]:
    stripped = line.strip()
    if stripped.startswith("{"):
        return _parse_json_line(stripped)
    match = _PREFIXED.match(stripped)
    if match:
        return _hex(match["telegram"]), _timestamp(match["timestamp"])
    return _hex(stripped), None


def _parse_json_line(text: str) -> tuple[bytes, date | None]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFormat(f"not a JSON object: {exc.msg}", field="telegram") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("telegram"), str):
        raise InvalidFormat("JSON line without a telegram string", field="telegram")
    stamp = obj.get("timestamp")
    return _hex(obj["telegram"]), _timestamp(stamp) if isinstance(stamp, str) else None


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text.strip())
    except ValueError as exc:
        raise InvalidValue("telegram is not hexadecimal", field="telegram") from exc


def _timestamp(text: str) -> date:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise InvalidValue(f"invalid timestamp {text!r}", field="timestamp") from exc


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
        decode(telegram, _key_for(telegram, keys), formats=formats)
    except FormatError:
        return


def _readings(
    telegram: Telegram, captured_on: date | None, line: int
) -> list[TelegramReading]:
    values = telegram.billing_values()
    set_date = values.get("set_date")
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
            )
        )
    return rows
