"""Data records of the application layer (EN 13757-3:2018, section 6): DIF, DIFEs,
VIF, VIFEs and the value, decoded into Decimal, date or text."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from meterbill.engine.money import round_to
from meterbill.formats.errors import InvalidFormat

from . import vif as vifs

# Data field code (DIF bits 0-3) → length in bytes; 0x0D is variable, 0x0F special.
_LENGTHS = {
    0x0: 0,
    0x1: 1,
    0x2: 2,
    0x3: 3,
    0x4: 4,
    0x5: 4,
    0x6: 6,
    0x7: 8,
    0x8: 0,
    0x9: 1,
    0xA: 2,
    0xB: 3,
    0xC: 4,
    0xE: 6,
}
_BCD_CODES = {0x9, 0xA, 0xB, 0xC, 0xE}
_FUNCTIONS = ("instantaneous", "maximum", "minimum", "error")

# Significant digits kept of a real32 (IEEE 754 single) value: nine digits are
# enough to tell any two singles apart (IEEE 754 section 5.12.2), so an exactly
# representable reading such as 534411.625 Wh survives whole.
REAL32_DIGITS = 9

Value = Decimal | date | datetime | str | None


@dataclass
class Record:
    """One data record. ``value`` is already scaled by the VIF's exponent."""

    dif: int
    vif: int
    quantity: vifs.Quantity
    value: Value
    storage: int = 0
    tariff: int = 0
    subunit: int = 0
    function: str = "instantaneous"
    vifes: list[int] = field(default_factory=list)
    raw: bytes = b""
    # Why the value is None (an invalid BCD digit, an invalid date), if it is.
    problem: str = ""

    # DIF, DIFEs, VIF and VIFEs as sent: a compact frame's format signature is the
    # CRC over the format bytes of all records (EN 13757-3 annex G).
    format_bytes: bytes = b""

    @property
    def plain(self) -> bool:
        """No VIFE that turns the register into something else (a rate, a limit)."""
        return not any(vifs.changes_meaning(v) for v in self.vifes)


class _Cursor:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise InvalidFormat(
                f"truncated {what} at byte {self.pos}", field="telegram"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    @property
    def done(self) -> bool:
        return self.pos >= len(self.data)


@dataclass
class _Header:
    dif: int
    length: int
    storage: int
    tariff: int
    subunit: int
    function: str
    vif: int
    vifes: list[int]
    quantity: vifs.Quantity
    format_bytes: bytes


def parse_records(payload: bytes) -> tuple[list[Record], bytes, str]:
    """Parse all records; returns them, the manufacturer-specific data (after a DIF
    0x0F/0x1F), kept unparsed, and a problem if the last record is truncated.

    A truncated last record is dropped and the records before it kept: meters pad
    the plaintext after their encrypted blocks, and the frame's length was already
    checked against its L-field."""
    cur = _Cursor(payload)
    records: list[Record] = []
    try:
        return _parse_all(cur, records)
    except InvalidFormat as exc:
        return records, b"", exc.message


def _parse_all(cur: _Cursor, records: list[Record]) -> tuple[list[Record], bytes, str]:
    payload = cur.data
    while not cur.done:
        dif = cur.data[cur.pos]
        if dif == 0x2F:  # idle filler
            cur.pos += 1
            continue
        if (dif & 0x0F) == 0x0F:
            # 0x0F/0x1F: manufacturer-specific data follows; 0x7F and the reserved
            # special functions carry no records either.
            return records, payload[cur.pos + 1 :], ""
        header = _parse_header(cur)
        records.append(_parse_value(cur, header))
    return records, b"", ""


def parse_with_format(format_bytes: bytes, data: bytes) -> list[Record]:
    """Parse a compact frame: formats learned from a full frame, values from data."""
    fcur = _Cursor(format_bytes)
    dcur = _Cursor(data)
    records: list[Record] = []
    while not fcur.done:
        header = _parse_header(fcur)
        records.append(_parse_value(dcur, header))
    return records


def format_signature_bytes(payload: bytes) -> bytes:
    """The format bytes (DIF…VIFE of every record) of a full frame's payload."""
    cur = _Cursor(payload)
    out = bytearray()
    while not cur.done:
        dif = cur.data[cur.pos]
        if dif == 0x2F:
            cur.pos += 1
            continue
        if (dif & 0x0F) == 0x0F:
            break
        header = _parse_header(cur)
        out += header.format_bytes
        _skip_value(cur, header)
    return bytes(out)


def _parse_header(cur: _Cursor) -> _Header:
    start = cur.pos
    dif = cur.byte("DIF")
    storage = (dif >> 6) & 0x01
    tariff = 0
    subunit = 0
    extension = dif & 0x80
    shift = 0
    while extension:
        if shift > 9:
            raise InvalidFormat("more than 10 DIFEs", field="telegram")
        dife = cur.byte("DIFE")
        storage |= (dife & 0x0F) << (1 + 4 * shift)
        tariff |= ((dife >> 4) & 0x03) << (2 * shift)
        subunit |= ((dife >> 6) & 0x01) << shift
        extension = dife & 0x80
        shift += 1

    vif = cur.byte("VIF")
    vifes: list[int] = []
    quantity = vifs.UNKNOWN
    if vif & 0x7F == 0x7C:  # plain-text unit: length and ASCII characters
        text_length = cur.byte("VIF text length")
        cur.take(text_length, "VIF text")
        quantity = vifs.Quantity("text_unit", "")
    more = vif & 0x80
    while more:
        if len(vifes) > 10:
            raise InvalidFormat("more than 10 VIFEs", field="telegram")
        vifes.append(cur.byte("VIFE"))
        more = vifes[-1] & 0x80

    code = vif & 0x7F
    if code == 0x7B and vifes:
        quantity = vifs.describe_fb(vifes.pop(0))
    elif code == 0x7D and vifes:
        quantity = vifs.describe_fd(vifes.pop(0))
    elif code == 0x7F:
        quantity = vifs.Quantity("manufacturer_specific", "")
    elif code < 0x7B:
        quantity = vifs.describe_primary(vif)
    for vife in vifes:
        exponent = vifs.correction_exponent(vife)
        if exponent is not None and quantity.unit not in ("", "date", "datetime"):
            quantity = vifs.Quantity(
                quantity.name, quantity.unit, quantity.exponent + exponent
            )
    code_length = _LENGTHS.get(dif & 0x0F, -1)
    return _Header(
        dif=dif,
        length=code_length,
        storage=storage,
        tariff=tariff,
        subunit=subunit,
        function=_FUNCTIONS[(dif >> 4) & 0x03],
        vif=vif,
        vifes=vifes,
        quantity=quantity,
        format_bytes=bytes(cur.data[start : cur.pos]),
    )


def _value_length(cur: _Cursor, header: _Header) -> tuple[int, int]:
    """Length of the value and, for variable length data, its LVAR byte."""
    if header.length >= 0:
        return header.length, -1
    lvar = cur.byte("LVAR")
    if lvar <= 0xBF:
        return lvar, lvar
    if lvar <= 0xCF:
        return 2 * (lvar - 0xC0), lvar
    if lvar <= 0xDF:
        return 2 * (lvar - 0xD0), lvar
    if lvar <= 0xEF:
        return lvar - 0xE0, lvar
    if lvar <= 0xFA:
        return lvar - 0xF0, lvar
    raise InvalidFormat(f"reserved LVAR 0x{lvar:02X}", field="telegram")


def _skip_value(cur: _Cursor, header: _Header) -> None:
    length, _ = _value_length(cur, header)
    cur.take(length, "data record value")


def _parse_value(cur: _Cursor, header: _Header) -> Record:
    length, lvar = _value_length(cur, header)
    raw = cur.take(length, "data record value")
    code = header.dif & 0x0F
    value, problem = _decode(raw, code, lvar, header.quantity)
    return Record(
        dif=header.dif,
        vif=header.vif,
        quantity=header.quantity,
        value=value,
        storage=header.storage,
        tariff=header.tariff,
        subunit=header.subunit,
        function=header.function,
        vifes=header.vifes,
        raw=raw,
        problem=problem,
        format_bytes=header.format_bytes,
    )


def _decode(
    raw: bytes, code: int, lvar: int, quantity: vifs.Quantity
) -> tuple[Value, str]:
    if quantity.unit == "date" and len(raw) == 2:
        return _date_g(raw)
    if quantity.unit in ("date", "datetime") and len(raw) == 4:
        return _datetime_f(raw)
    if quantity.unit in ("date", "datetime") and len(raw) == 6:
        return _datetime_i(raw)
    if code == 0xD:
        return _variable(raw, lvar)
    if code == 0x5:
        return _real32(raw, quantity.exponent), ""
    if code in _BCD_CODES:
        number = bcd_to_int(raw)
        if number is None:
            return None, f"invalid BCD digits {raw[::-1].hex().upper()}"
        return Decimal(number).scaleb(quantity.exponent), ""
    if not raw:
        return None, ""
    number = int.from_bytes(raw, "little", signed=True)
    if quantity.name in ("fabrication_no", "enhanced_id", "model_version"):
        return str(int.from_bytes(raw, "little")), ""
    return Decimal(number).scaleb(quantity.exponent), ""


def bcd_to_int(raw: bytes) -> int | None:
    """Little-endian packed BCD; a 0xF in the top nibble means negative
    (EN 13757-3 annex A, type A). None if another nibble is not a digit."""
    digits = raw[::-1].hex().upper()
    sign = 1
    if digits and digits[0] == "F":
        sign, digits = -1, digits[1:]
    if not digits:
        return 0
    if not digits.isdigit():
        return None
    return sign * int(digits)


def _real32(raw: bytes, exponent: int) -> Decimal | None:
    """IEEE 754 single: the exact binary value, kept to REAL32_DIGITS significant
    digits (rounded half-even), then scaled by the VIF exponent."""
    (number,) = struct.unpack("<f", raw)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    exact = Decimal(number)
    if exact == 0:
        return Decimal(0).scaleb(exponent)
    step = Decimal(1).scaleb(exact.adjusted() - REAL32_DIGITS + 1)
    return round_to(exact, step, ROUND_HALF_EVEN).scaleb(exponent).normalize()


def _variable(raw: bytes, lvar: int) -> tuple[Value, str]:
    if lvar <= 0xBF:  # ASCII, sent last character first
        return raw[::-1].decode("latin-1").strip("\x00"), ""
    if 0xC0 <= lvar <= 0xDF:
        number = bcd_to_int(raw)
        if number is None:
            return None, "invalid BCD digits"
        return Decimal(-number if lvar >= 0xD0 else number), ""
    if 0xE0 <= lvar <= 0xEF:
        return Decimal(int.from_bytes(raw, "little", signed=True)), ""
    return raw.hex().upper(), ""


def _date_g(raw: bytes) -> tuple[Value, str]:
    """Type G date (EN 13757-3 annex A): day, month, year in two bytes."""
    day = raw[0] & 0x1F
    month = raw[1] & 0x0F
    year = ((raw[0] & 0xE0) >> 5) | ((raw[1] & 0xF0) >> 1)
    return _make_date(2000 + year, month, day)


def _datetime_f(raw: bytes) -> tuple[Value, str]:
    """Type F date and time (EN 13757-3 annex A): minute to year in four bytes."""
    if raw[0] & 0x80:
        return None, "date/time marked invalid"
    minute = raw[0] & 0x3F
    hour = raw[1] & 0x1F
    day = raw[2] & 0x1F
    month = raw[3] & 0x0F
    year = ((raw[2] & 0xE0) >> 5) | ((raw[3] & 0xF0) >> 1)
    value, problem = _make_date(2000 + year, month, day)
    if not isinstance(value, date) or hour > 23 or minute > 59:
        return None, problem or "invalid time"
    return datetime(value.year, value.month, value.day, hour, minute), ""  # noqa: DTZ001


def _datetime_i(raw: bytes) -> tuple[Value, str]:
    """Type I date and time: second, minute, hour, day, month, year in six bytes."""
    second = raw[0] & 0x3F
    rest, problem = _datetime_f(raw[1:5])
    if not isinstance(rest, datetime) or second > 59:
        return None, problem or "invalid time"
    return rest.replace(second=second), ""


def _make_date(year: int, month: int, day: int) -> tuple[Value, str]:
    try:
        return date(year, month, day), ""
    except ValueError:
        return None, f"invalid date {year:04d}-{month:02d}-{day:02d}"
