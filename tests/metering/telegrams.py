"""Hand-built wireless M-Bus telegrams (EN 13757-4 link layer, short TPL header)."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KAM = bytes([0x2D, 0x2C])  # manufacturer KAM, little-endian
VERSION, WATER = 0x1B, 0x07
# A volume record: DIF 0x0C (8-digit BCD), VIF 0x13 (litres), 12345678 l = 12345.678 m3.
VOLUME_12345_678 = bytes.fromhex("0C1378563412")


def _id(meter_id: str) -> bytes:
    return bytes.fromhex(meter_id)[::-1]


# A volume record of 110 000 l = 110.000 m3 (8-digit BCD, least significant first).
VOLUME_110 = bytes.fromhex("0C1300001100")
# Status byte bits, EN 13757-7 table 7.
PERMANENT_ERROR, POWER_LOW, ALARM = 0x08, 0x04, 0x03


def telegram(
    meter_id: str, payload: bytes, configuration: int = 0, status: int = 0
) -> str:
    header = bytes([0x44]) + KAM + _id(meter_id) + bytes([VERSION, WATER])
    rest = header + bytes([0x7A, 0x2A, status]) + configuration.to_bytes(2, "little")
    rest += payload
    return (bytes([len(rest)]) + rest).hex().upper()


def encrypted(meter_id: str, key: bytes) -> str:
    """Security mode 5 (AES-128-CBC) around the volume record."""
    plain = b"\x2f\x2f" + VOLUME_12345_678 + b"\x2f" * 8
    iv = KAM + _id(meter_id) + bytes([VERSION, WATER]) + bytes([0x2A]) * 8
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    cipher = encryptor.update(plain) + encryptor.finalize()
    return telegram(meter_id, cipher, configuration=0x0500 | 1 << 4)
