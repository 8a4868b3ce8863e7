"""Link layer: frame formats A and B of EN 13757-4 (with or without their CRC
blocks), wired M-Bus long frames of EN 13757-2, and the address header."""

from __future__ import annotations

from dataclasses import dataclass

from meterbill.formats.errors import InvalidFormat

# EN 13757-4 section 10: CRC-16, polynomial x^16+x^13+x^12+x^11+x^10+x^8+x^6+x^5+x^2+1,
# initial value 0, complemented, sent most significant byte first.
_POLY = 0x3D65


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ _POLY) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc ^ 0xFFFF


def _crc_ok(block: bytes, crc: bytes) -> bool:
    return crc16(block) == int.from_bytes(crc, "big")


DEVICE_TYPES = {
    0x00: "other",
    0x01: "oil",
    0x02: "electricity",
    0x03: "gas",
    0x04: "heat",
    0x05: "steam",
    0x06: "warm water",
    0x07: "water",
    0x08: "heat cost allocator",
    0x09: "compressed air",
    0x0A: "cooling (outlet)",
    0x0B: "cooling (inlet)",
    0x0C: "heat (inlet)",
    0x0D: "heat/cooling",
    0x0E: "bus/system component",
    0x15: "hot water",
    0x16: "cold water",
    0x17: "dual water",
    0x18: "pressure",
    0x19: "A/D converter",
    0x1A: "smoke detector",
    0x1B: "room sensor",
    0x1C: "gas detector",
    0x25: "communication controller",
    0x28: "waste water",
    0x37: "radio converter (meter side)",
}


def manufacturer_code(value: int) -> str:
    """The three-letter FLAG code packed into 15 bits (EN 13757-3 section 5.5)."""
    return "".join(chr(((value >> shift) & 0x1F) + 64) for shift in (10, 5, 0))


def meter_id(address: bytes) -> str:
    """The printed id: four bytes of BCD sent least significant first."""
    return address[::-1].hex()


@dataclass(frozen=True)
class Address:
    manufacturer: str
    id: str
    version: int
    device_type: int
    raw: bytes  # M-field and A-field as sent: eight bytes, used in IVs

    @property
    def media(self) -> str:
        return DEVICE_TYPES.get(self.device_type, f"unknown 0x{self.device_type:02X}")


def address_from(raw: bytes) -> Address:
    """M-field (2 bytes) then A-field (id 4, version, device type), as on the air."""
    return Address(
        manufacturer=manufacturer_code(int.from_bytes(raw[0:2], "little")),
        id=meter_id(raw[2:6]),
        version=raw[6],
        device_type=raw[7],
        raw=bytes(raw[:8]),
    )


@dataclass(frozen=True)
class Frame:
    """A frame with its CRCs removed: the C-field, an address if the link layer has
    one, and the bytes from the CI-field on."""

    c_field: int
    address: Address | None
    body: bytes
    wired: bool = False


def parse_frame(telegram: bytes) -> Frame:
    """Recognise the frame kind and return it without CRC blocks."""
    if len(telegram) >= 6 and telegram[0] == 0x68 and telegram[3] == 0x68:
        return _wired_long_frame(telegram)
    if len(telegram) < 11:
        raise InvalidFormat(
            f"telegram of {len(telegram)} bytes is shorter than a link header",
            field="telegram",
        )
    length = telegram[0]
    content = _strip_crcs(telegram, length)
    return Frame(
        c_field=content[1], address=address_from(content[2:10]), body=content[10:]
    )


def split_frames(capture: bytes) -> list[bytes]:
    """The frames of a capture that holds several telegrams of one meter back to back.

    Meters may send a burst of telegrams (OMS volume 2: a static telegram with the
    device data, then a dynamic one with the registers) that a receiver logs as one
    record. Each frame ends where its L-field says (EN 13757-4: L counts the bytes
    after it; in format A the CRC blocks come on top); a frame follows only when
    its C-field, M-field and A-field equal the first's. Anything else after the
    first frame stays attached to it, and ``parse_frame`` decides.
    """
    frames = []
    rest = bytes(capture)
    while True:
        size = _size_on_the_wire(rest)
        following = rest[size:] if size else b""
        if len(following) < 11 or following[1:10] != rest[1:10]:
            frames.append(rest)
            return frames
        frames.append(rest[:size])
        rest = following


def _size_on_the_wire(telegram: bytes) -> int:
    """Bytes the first wireless frame takes, with its CRC blocks if it has them;
    0 when the data is a wired frame or shorter than its L-field says."""
    if len(telegram) < 11 or (telegram[0] == 0x68 and telegram[3] == 0x68):
        return 0
    length = telegram[0]
    if len(telegram) < length + 1:
        return 0
    blocks = 1 + -(-(length + 1 - 10) // 16)  # block 1, then 16 bytes a block
    with_crcs = length + 1 + 2 * blocks
    if len(telegram) >= with_crcs and _strip_format_a(telegram, length) is not None:
        return with_crcs
    return length + 1


def _wired_long_frame(telegram: bytes) -> Frame:
    """EN 13757-2 long frame: 68 L L 68 C A CI data CS 16."""
    length = telegram[1]
    if telegram[2] != length:
        raise InvalidFormat(
            "wired M-Bus frame: the two L-fields differ", field="telegram"
        )
    if len(telegram) < length + 4:
        raise InvalidFormat(
            f"wired M-Bus frame truncated: L says {length}, got {len(telegram) - 4}",
            field="telegram",
        )
    user_data = telegram[4 : 4 + length]
    if len(user_data) < 3:
        raise InvalidFormat("wired M-Bus frame without CI-field", field="telegram")
    trailer = telegram[4 + length : 4 + length + 2]
    if len(trailer) == 2 and (sum(user_data) & 0xFF) != trailer[0]:
        raise InvalidFormat("wired M-Bus frame checksum mismatch", field="telegram")
    return Frame(c_field=user_data[0], address=None, body=user_data[2:], wired=True)


def _strip_crcs(telegram: bytes, length: int) -> bytes:
    """Return L..end without CRCs, detecting format A, format B or none.

    wmbusmeters and most receivers log telegrams with CRCs already removed, then
    the telegram is exactly L + 1 bytes long.
    """
    if len(telegram) > length + 1:
        crc_a = _strip_format_a(telegram, length)
        if crc_a is not None:
            return crc_a
    if len(telegram) == length + 1:
        crc_b = _strip_format_b(telegram, length)
        return crc_b if crc_b is not None else telegram
    if len(telegram) < length + 1:
        raise InvalidFormat(
            f"telegram truncated: L-field says {length + 1} bytes, got {len(telegram)}",
            field="telegram",
        )
    # Longer than L + 1 but not format A: a receiver may log a second telegram of
    # the same meter right after the first (same C-field and manufacturer): cut it.
    # Otherwise the meter sent an L-field that is too small; like other decoders
    # we keep all bytes and let the records decide.
    rest = telegram[length + 1 :]
    if len(rest) >= 4 and rest[1] == telegram[1] and rest[2:4] == telegram[2:4]:
        return telegram[: length + 1]
    return telegram


def _strip_format_a(telegram: bytes, length: int) -> bytes | None:
    """Format A: block 1 is 10 bytes + CRC, then blocks of 16 bytes + CRC each."""
    out = bytearray()
    pos = 0
    remaining = length + 1
    first = True
    while remaining > 0:
        size = 10 if first else min(16, remaining)
        block = telegram[pos : pos + size]
        crc = telegram[pos + size : pos + size + 2]
        if len(block) < size or len(crc) < 2 or not _crc_ok(block, crc):
            return None
        out += block
        pos += size + 2
        remaining -= size
        first = False
    return bytes(out)


def _strip_format_b(telegram: bytes, length: int) -> bytes | None:
    """Format B: L counts the CRCs; one CRC after at most 128 bytes, one at the end."""
    if length < 12:
        return None
    if length + 1 <= 128:
        if _crc_ok(telegram[: length - 1], telegram[length - 1 : length + 1]):
            return telegram[: length - 1]
        return None
    first, rest = telegram[:126], telegram[128 : length - 1]
    if _crc_ok(first, telegram[126:128]) and _crc_ok(
        rest, telegram[length - 1 : length + 1]
    ):
        return first + rest
    return None
