"""Manufacturer-specific payloads (CI-fields 0xA0-0xB7, EN 13757-7 table 2) of meter
families common in radio-reading routes, decoded from their published layouts
(manufacturer documents or the layouts other open decoders such as wmbusmeters
document and check against the meters' displays)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from meterbill.formats.errors import InvalidFormat

from . import security
from .link import Address
from .records import _date_g, bcd_to_int

if TYPE_CHECKING:
    from .telegram import Telegram

_TECHEM_WATER_VERSIONS = {0x74, 0x95}  # MK Radio 3 and MK Radio 4
# MK Radio 3a: version 0x50 with Techem's device type 0x72 (cold water).
_TECHEM_MK_RADIO_3A = (0x50, 0x72)
_DIEHL = {"DME", "HYD", "SAP"}  # Diehl Metering and its Hydrometer/Sappel brands
_DIEHL_CI = {0xA0, 0xA1, 0xA2, 0xA3}

# Diehl's published default PRIOS seed (izar-wmbus, wmbusmeters); meters
# configured with a customer key cannot be read without it.
PRIOS_DEFAULT_KEY = 0xDFD109E8
_PRIOS_CHECK = 0x4B


def handles(address: Address, ci: int) -> bool:
    if address.manufacturer == "TCH":
        return ci == 0xA2 and (
            address.version in _TECHEM_WATER_VERSIONS
            or (address.version, address.device_type) == _TECHEM_MK_RADIO_3A
        )
    if address.manufacturer in _DIEHL:
        return ci in _DIEHL_CI
    return address.manufacturer == "APA" and ci in (0xA0, 0xA1)


def decode(
    address: Address, body: bytes, key: bytes | None
) -> dict[str, Decimal | date | str]:
    if address.manufacturer == "TCH":
        if (address.version, address.device_type) == _TECHEM_MK_RADIO_3A:
            return _techem_mk_radio_3a(body)
        return _techem_water(body)
    if address.manufacturer in _DIEHL:
        return _diehl_prios(address, body)
    return _apator_na1(address, body, key)


def _techem_water(body: bytes) -> dict[str, Decimal | date | str]:
    """Techem MK Radio 3/4: after the CI-field, a status byte, the last due date,
    the volume up to the due date (0.1 m3, two bytes), the current date and the
    volume since the due date (0.1 m3, two bytes). The total is their sum."""
    if len(body) < 10:
        raise InvalidFormat("Techem payload truncated", field="telegram")
    at_set_date = int.from_bytes(body[4:6], "little")
    since_set_date = int.from_bytes(body[8:10], "little")
    tenth = Decimal("0.1")
    return {
        "total_m3": (at_set_date + since_set_date) * tenth,
        "volume_at_set_date_m3": at_set_date * tenth,
    }


def _techem_mk_radio_3a(body: bytes) -> dict[str, Decimal | date | str]:
    """Techem MK Radio 3a: after the CI-field two status bytes, the current date
    (16 bits little-endian: day in bits 0-4, month in bits 5-8, year after 2000 in
    bits 9-15), then the total volume in 0.1 m3 (24 bits little-endian); monthly
    history follows and is not read."""
    if len(body) < 8:
        raise InvalidFormat("Techem MK Radio 3a payload truncated", field="telegram")
    tenths = int.from_bytes(body[5:8], "little")
    return {"total_m3": tenths * Decimal("0.1")}


def from_records(telegram: Telegram) -> dict[str, Decimal | date | str]:
    """Values that a manufacturer-specific record inside a normal payload carries."""
    if telegram.manufacturer == "ZRI" and telegram.version == 0x0B:
        return _zenner_b_one(telegram.manufacturer_data)
    if telegram.manufacturer != "QDS":
        return {}
    for record in telegram.records:
        if record.vif == 0xFF and record.vifes[:1] == [0x5F] and len(record.raw) >= 28:
            return _qundis(record.raw)
    return {}


def _qundis(raw: bytes) -> dict[str, Decimal | date | str]:
    """Qundis walk-by record (VIF 0xFF 0x5F): at byte 8 a VIF-like unit code, then
    three pairs of a type G date and a 4-byte BCD value: now, the last year-end
    set date and the last month end."""
    unit = raw[9]
    if unit & 0x78 == 0x10:
        name, scale = "total_m3", Decimal(1).scaleb((unit & 0x07) - 6)
    elif unit & 0x70 == 0x00:
        name, scale = (
            "total_energy_consumption_kwh",
            Decimal(1).scaleb((unit & 0x07) - 6),
        )
    elif unit == 0x6E:
        name, scale = "current_consumption_hca", Decimal(1)
    else:
        return {}
    values: dict[str, Decimal | date | str] = {}
    current = bcd_to_int(raw[12:16])
    if current is not None:
        values[name] = current * scale
    set_date, _problem = _date_g(raw[16:18])
    at_set_date = bcd_to_int(raw[18:22])
    if isinstance(set_date, date):
        values["set_date"] = set_date
        if at_set_date is not None:
            set_name = {
                "total_m3": "volume_at_set_date_m3",
                "total_energy_consumption_kwh": "energy_at_set_date_kwh",
                "current_consumption_hca": "consumption_at_set_date_hca",
            }[name]
            values[set_name] = at_set_date * scale
    return values


def _diehl_prios(address: Address, body: bytes) -> dict[str, Decimal | date | str]:
    """Diehl PRIOS (IZAR radio): the payload from byte 5 after the CI-field is XORed
    with a 32-bit LFSR (taps 1, 2, 11, 31) seeded with the key XOR three big-endian
    words of the header. The first plain byte is 0x4B; the total volume follows as
    a little-endian 32-bit count of litres."""
    if len(body) < 10:
        raise InvalidFormat("Diehl PRIOS payload truncated", field="telegram")
    header = address.raw + body[:4]
    state = PRIOS_DEFAULT_KEY
    for offset in (0, 4, 8):
        state ^= int.from_bytes(header[offset : offset + 4], "big")
    plain = bytearray()
    for byte in body[5:]:
        for _ in range(8):
            bit = ((state >> 1) ^ (state >> 2) ^ (state >> 11) ^ (state >> 31)) & 1
            state = ((state << 1) | bit) & 0xFFFFFFFF
        plain.append(byte ^ (state & 0xFF))
    if plain[0] != _PRIOS_CHECK:
        raise security.WrongKey(
            "Diehl PRIOS payload does not decode with the default key",
            field="telegram",
        )
    litres = int.from_bytes(plain[1:5], "little")
    return {"total_m3": Decimal(litres).scaleb(-3)}


def _apator_na1(
    address: Address, body: bytes, key: bytes | None
) -> dict[str, Decimal | date | str]:
    """Apator NA-1: 16 bytes from byte 3 after the CI-field are AES-128-CBC
    encrypted with the mode 5 IV (address and access number). The plain block
    starts with 0x2F; the total volume in litres is the low nibble of byte 1
    followed (as higher digits) by the little-endian bytes 2-4."""
    if len(body) < 19:
        raise InvalidFormat("Apator NA-1 payload truncated", field="telegram")
    if key is None:
        raise security.KeyMissing(
            "telegram is encrypted (Apator NA-1) and no key is known", field="telegram"
        )
    iv = security.mode5_iv(address.raw, body[1])
    plain = security.cbc_decrypt(key, iv, body[3:19])
    if plain[0] != 0x2F:
        raise security.WrongKey(
            "wrong key: the decrypted Apator block does not start with 2F",
            field="telegram",
        )
    litres = int.from_bytes(plain[2:5], "little") << 4 | (plain[1] & 0x0F)
    return {"total_m3": Decimal(litres).scaleb(-3)}


def _zenner_b_one(data: bytes) -> dict[str, Decimal | date | str]:
    """Zenner B.One (version 0x0B): after DIF 0x0F three little-endian 32-bit words,
    status, volume at the set date and total volume, the volumes in 1/256 litre."""
    if len(data) < 12:
        return {}
    litres = Decimal(int.from_bytes(data[8:12], "little")) / 256
    at_set_date = Decimal(int.from_bytes(data[4:8], "little")) / 256
    return {
        "total_m3": (litres / 1000).normalize(),
        "volume_at_set_date_m3": (at_set_date / 1000).normalize(),
    }
