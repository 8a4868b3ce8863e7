"""Decode one telegram: link layer, extended link layer, transport layer with its
security, application layer records (EN 13757-3/-4/-7, OMS volume 2)."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from meterbill.formats.errors import FormatError, InvalidFormat

from . import proprietary, security
from .link import Address, Frame, address_from, crc16, parse_frame, split_frames
from .records import Record, format_signature_bytes, parse_records, parse_with_format

# Format bytes of full frames, by format signature, so that later compact frames
# (EN 13757-3 annex G) of the same meter family can be decoded.
FormatCache = MutableMapping[int, bytes]

_ELL = {0x8C: 2, 0x8D: 6, 0x8E: 10, 0x8F: 14}  # header bytes after the CI-field
_TPL_NONE = {0x78: False, 0x79: True}  # CI → compact frame?
_TPL_SHORT = {0x7A: False, 0x7B: True}
_TPL_LONG = {0x72: False, 0x73: True}

# Security modes 16-31 of the configuration field are reserved for future use
# (EN 13757-7, OMS volume 2): nothing says whether or how such a payload is encrypted.
_RESERVED_MODES = range(16, 32)

# Status byte, EN 13757-7 table 7 (application status in bits 0-1).
_APPLICATION_STATUS = {0: "", 1: "BUSY", 2: "APPLICATION_ERROR", 3: "ALARM"}
_STATUS_BITS = {0x04: "POWER_LOW", 0x08: "PERMANENT_ERROR", 0x10: "TEMPORARY_ERROR"}


@dataclass
class Telegram:
    """A decoded telegram: who sent it, its transport header and its records."""

    manufacturer: str
    id: str
    version: int
    device_type: int
    media: str
    c_field: int
    ci_field: int
    access_number: int | None = None
    status: int = 0
    configuration: int = 0
    security_mode: int = 0
    records: list[Record] = field(default_factory=list)
    manufacturer_data: bytes = b""
    # Values a manufacturer-specific (proprietary) payload yields directly.
    proprietary_values: dict[str, Decimal | date | str] = field(default_factory=dict)
    # Problems that did not stop decoding (a truncated last record).
    warnings: list[str] = field(default_factory=list)

    @property
    def status_flags(self) -> list[str]:
        """Error and alarm bits of the status byte; empty when all is well."""
        flags = [_APPLICATION_STATUS[self.status & 0x03]]
        flags += [name for bit, name in _STATUS_BITS.items() if self.status & bit]
        return [flag for flag in flags if flag]

    def billing_values(self) -> dict[str, Decimal | date | str]:
        from .billing import billing_values

        return billing_values(self)


def decode(
    telegram: bytes,
    key: bytes | None = None,
    *,
    formats: FormatCache | None = None,
) -> Telegram:
    """Decode ``telegram`` (from its L-field, CRCs present or stripped).

    ``key`` is the meter's AES-128 key. ``formats`` is a cache of full-frame formats
    that compact frames need; decode both reads and fills it. Raises only
    ``FormatError`` subclasses.
    """
    try:
        return _decode(bytes(telegram), key, formats)
    except FormatError:
        raise
    except (IndexError, ValueError, KeyError) as exc:
        raise InvalidFormat(f"malformed telegram: {exc}", field="telegram") from exc


def decode_all(
    capture: bytes,
    key: bytes | None = None,
    *,
    formats: FormatCache | None = None,
) -> list[Telegram]:
    """Decode every frame of a capture that holds several telegrams of one meter
    back to back (``link.split_frames``); a capture of one frame gives one."""
    return [decode(frame, key, formats=formats) for frame in split_frames(capture)]


def _decode(data: bytes, key: bytes | None, formats: FormatCache | None) -> Telegram:
    frame = parse_frame(data)
    body = frame.body
    address = frame.address
    ell_plain = _extended_link_layer(frame, key)
    if ell_plain is not None:
        body = ell_plain
    if not body:
        raise InvalidFormat("telegram has no CI-field", field="telegram")

    counter = b""
    if body[0] == 0x90:
        body, counter = _authentication_layer(body)
    ci = body[0]
    if ci in _TPL_LONG and len(body) >= 9:
        long_raw = body[5:7] + body[1:5] + body[7:9]
        address = address_from(long_raw)
    if address is None:
        raise InvalidFormat(
            f"CI-field 0x{ci:02X} without a meter address", field="telegram"
        )
    result = _new_telegram(address, frame.c_field, ci)
    if proprietary.handles(address, ci):
        result.proprietary_values = proprietary.decode(address, body, key)
        return result
    _transport_layer(result, body, address, key, counter, formats)
    return result


def _new_telegram(address: Address, c_field: int, ci: int) -> Telegram:
    return Telegram(
        manufacturer=address.manufacturer,
        id=address.id,
        version=address.version,
        device_type=address.device_type,
        media=address.media,
        c_field=c_field,
        ci_field=ci,
    )


def _extended_link_layer(frame: Frame, key: bytes | None) -> bytes | None:
    """Strip an extended link layer (EN 13757-4 section 13); decrypt AES-CTR."""
    body = frame.body
    if not body or body[0] not in _ELL or frame.address is None:
        return None
    size = _ELL[body[0]]
    if len(body) < size + 1:
        raise InvalidFormat("extended link layer truncated", field="telegram")
    if body[0] in (0x8C, 0x8E):
        return body[1 + size :]
    cc = body[1]
    sn = body[size - 3 : size + 1]
    payload = body[size + 1 :]
    encryption = sn[3] >> 5
    if len(payload) < 3:
        raise InvalidFormat("extended link layer without payload", field="telegram")
    if _ell_crc_ok(payload):
        return payload[2:]
    if encryption == 0:
        raise InvalidFormat(
            "extended link layer payload CRC mismatch", field="telegram"
        )
    if key is None:
        raise security.KeyMissing(
            "telegram is encrypted (ELL AES-CTR) and no key is known", field="telegram"
        )
    counter = frame.address.raw + bytes([cc]) + sn + b"\x00\x00\x00"
    plain = security.ctr_decrypt(key, counter, payload)
    if not _ell_crc_ok(plain):
        raise security.WrongKey(
            "wrong key: the decrypted payload CRC does not match", field="telegram"
        )
    return plain[2:]


def _ell_crc_ok(payload: bytes) -> bool:
    return crc16(payload[2:]) == int.from_bytes(payload[:2], "little")


def _authentication_layer(body: bytes) -> tuple[bytes, bytes]:
    """Skip an AFL (EN 13757-7 section 6); return the rest and the message counter."""
    if len(body) < 4:
        raise InvalidFormat("authentication layer truncated", field="telegram")
    length = body[1]
    afl = body[2 : 2 + length]
    if len(afl) < length or length < 2:
        raise InvalidFormat("authentication layer truncated", field="telegram")
    fcl = int.from_bytes(afl[0:2], "little")
    pos = 2
    if fcl & 0x2000:  # MCLP: message control present
        pos += 1
    if fcl & 0x0200:  # KIP: key information present
        pos += 2
    counter = b""
    if fcl & 0x0800:  # MCRP: message counter present
        counter = afl[pos : pos + 4]
    return body[2 + length :], counter


def _transport_layer(
    result: Telegram,
    body: bytes,
    address: Address,
    key: bytes | None,
    counter: bytes,
    formats: FormatCache | None,
) -> None:
    ci = body[0]
    if ci in _TPL_NONE:
        compact, pos = _TPL_NONE[ci], 1
    elif ci in _TPL_SHORT:
        compact, pos = _TPL_SHORT[ci], 5
    elif ci in _TPL_LONG:
        compact, pos = _TPL_LONG[ci], 13
    else:
        raise InvalidFormat(f"unsupported CI-field 0x{ci:02X}", field="telegram")
    if len(body) < pos:
        raise InvalidFormat("transport layer header truncated", field="telegram")
    payload = body[pos:]
    if pos > 1:
        result.access_number = body[pos - 4]
        result.status = body[pos - 3]
        result.configuration = int.from_bytes(body[pos - 2 : pos], "little")
        result.security_mode = (result.configuration >> 8) & 0x1F
        payload = _decrypt(result, payload, address, key, counter)
    _application_layer(result, payload, compact, formats)


def _decrypt(
    result: Telegram,
    payload: bytes,
    address: Address,
    key: bytes | None,
    counter: bytes,
) -> bytes:
    mode = result.security_mode
    if mode == 0:
        return payload
    if mode == 7:
        payload = payload[1:]  # configuration field extension (KDF, key id)
    if mode == 2 and key is not None:
        plain = security.des_cbc_decrypt(key, payload)
        if plain[:2] != security.CHECK:
            raise security.WrongKey(
                "wrong key: the decrypted payload does not start with 2F2F",
                field="telegram",
            )
        return plain
    if mode not in (5, 7):
        if payload[:2] == security.CHECK:
            return payload
        if mode in _RESERVED_MODES:
            raise InvalidFormat(
                f"security mode {mode} is reserved (EN 13757-7: 16-31 for future "
                "use): whether the payload is encrypted is not defined",
                field="telegram",
            )
        raise InvalidFormat(f"security mode {mode} is not supported", field="telegram")
    blocks = (result.configuration >> 4) & 0x0F
    size = 16 * blocks if blocks else len(payload) - len(payload) % 16
    if len(payload) < size:
        raise InvalidFormat(
            f"encrypted part truncated: {len(payload)} of {size} bytes",
            field="telegram",
        )
    if key is None:
        if payload[:2] == security.CHECK:
            return payload  # logged by a receiver that had already decrypted it
        raise security.KeyMissing(
            f"telegram is encrypted (mode {mode}) and no key is known",
            field="telegram",
        )
    if mode == 5:
        plain = security.cbc_decrypt(
            key,
            security.mode5_iv(address.raw, result.access_number or 0),
            payload[:size],
        )
    else:
        if len(counter) < 4:
            raise InvalidFormat(
                "mode 7 needs the message counter of an AFL", field="telegram"
            )
        enc_key, _mac_key = security.mode7_keys(key, counter, address.raw[2:6])
        plain = security.cbc_decrypt(enc_key, b"\x00" * 16, payload[:size])
    if plain[:2] != security.CHECK:
        if payload[:2] == security.CHECK:
            return payload
        raise security.WrongKey(
            "wrong key: the decrypted payload does not start with 2F2F",
            field="telegram",
        )
    return plain + payload[size:]


def _application_layer(
    result: Telegram, payload: bytes, compact: bool, formats: FormatCache | None
) -> None:
    if not compact:
        result.records, result.manufacturer_data, problem = parse_records(payload)
        if problem:
            result.warnings.append(problem)
        result.proprietary_values = proprietary.from_records(result)
        if formats is not None and not problem:
            signature = format_signature_bytes(payload)
            formats[crc16(signature)] = signature
        return
    while payload[:1] == b"\x2f":
        payload = payload[1:]
    if len(payload) < 4:
        raise InvalidFormat("compact frame truncated", field="telegram")
    format_id = int.from_bytes(payload[0:2], "little")
    known = (formats or {}).get(format_id)
    if known is None:
        raise InvalidFormat(
            f"compact frame with unknown format signature 0x{format_id:04X}",
            field="telegram",
        )
    result.records = parse_with_format(known, payload[4:])
