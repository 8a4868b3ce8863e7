"""Decryption: TPL security modes 5 and 7 (EN 13757-7 section 9, OMS 4/5 volume 2)
and the extended link layer's AES-CTR (EN 13757-4 section 13)."""

from __future__ import annotations

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from meterbill.formats.errors import InvalidValue

# Decrypted TPL payloads start with two idle fillers: the decryption check.
CHECK = b"\x2f\x2f"


class WrongKey(InvalidValue):
    """The key does not decrypt the telegram (the 2F2F check or the CRC fails)."""


class KeyMissing(InvalidValue):
    """The telegram is encrypted and no key was given for the meter."""


def _aes_key(key: bytes) -> algorithms.AES:
    if len(key) != 16:
        raise InvalidValue(f"AES-128 key must be 16 bytes, got {len(key)}", field="key")
    return algorithms.AES(key)


def cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    decryptor = Cipher(_aes_key(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def des_cbc_decrypt(key: bytes, data: bytes) -> bytes:
    """Security mode 2 of EN 13757-3:2004: DES-CBC with a zero IV over the whole
    8-byte blocks (single DES is TripleDES with one 8-byte key)."""
    if len(key) != 8:
        raise InvalidValue(f"DES key must be 8 bytes, got {len(key)}", field="key")
    size = len(data) - len(data) % 8
    decryptor = Cipher(TripleDES(key * 3), modes.CBC(b"\x00" * 8)).decryptor()
    return decryptor.update(data[:size]) + decryptor.finalize() + data[size:]


def ctr_decrypt(key: bytes, counter: bytes, data: bytes) -> bytes:
    decryptor = Cipher(_aes_key(key), modes.CTR(counter)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def mode5_iv(address: bytes, access_number: int) -> bytes:
    """Mode 5 IV: M-field, A-field (8 bytes as sent), then the access number 8×."""
    return address[:8] + bytes([access_number]) * 8


def mode7_keys(key: bytes, counter: bytes, meter_id: bytes) -> tuple[bytes, bytes]:
    """OMS KDF-A: K_enc and K_mac = CMAC(K, DC || message counter || id || 07×7),
    DC 0x00 for the encryption key and 0x01 for the MAC key (meter to other)."""

    def derive(dc: int) -> bytes:
        mac = cmac.CMAC(_aes_key(key))
        mac.update(bytes([dc]) + counter[:4] + meter_id[:4] + b"\x07" * 7)
        return mac.finalize()

    return derive(0x00), derive(0x01)


def aes_cmac(key: bytes, data: bytes) -> bytes:
    mac = cmac.CMAC(_aes_key(key))
    mac.update(data)
    return mac.finalize()
