"""Hand-built telegrams for the tests: link header + short TPL + records."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Manufacturer KAM: (11 << 10) | (1 << 5) | 13 = 0x2C2D, sent little-endian.
KAM = bytes([0x2D, 0x2C])
# Meter id 12345678, sent least significant byte first.
ID_12345678 = bytes([0x78, 0x56, 0x34, 0x12])
VERSION = 0x1B
WATER = 0x07
HCA = 0x08
KEY = bytes(range(16))


def link_header(device_type: int = WATER) -> bytes:
    """C-field 0x44 (SND_NR), then M-field and A-field."""
    return bytes([0x44]) + KAM + ID_12345678 + bytes([VERSION, device_type])


def telegram(
    payload: bytes,
    *,
    device_type: int = WATER,
    access_number: int = 0x2A,
    status: int = 0x00,
    configuration: int = 0x0000,
) -> bytes:
    """A complete telegram without CRCs: L, link header, CI 0x7A header, payload."""
    tpl = bytes([0x7A, access_number, status]) + configuration.to_bytes(2, "little")
    rest = link_header(device_type) + tpl + payload
    return bytes([len(rest)]) + rest


def encrypted_telegram(
    plain: bytes, key: bytes = KEY, access_number: int = 0x2A
) -> bytes:
    """Security mode 5: AES-128-CBC, IV = M-field + A-field + 8 × access number."""
    assert len(plain) % 16 == 0
    iv = KAM + ID_12345678 + bytes([VERSION, WATER]) + bytes([access_number]) * 8
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(plain) + encryptor.finalize()
    blocks = len(plain) // 16
    return telegram(
        ciphertext, access_number=access_number, configuration=0x0500 | blocks << 4
    )
