from decimal import Decimal

import pytest

from meterbill.formats.errors import InvalidValue
from meterbill.formats.wmbus import KeyMissing, WrongKey, decode

from .builders import KEY, encrypted_telegram

PLAIN = bytes.fromhex("2F2F0C1378563412") + b"\x2f" * 8  # one block, 2F2F first


def test_it_decrypts_security_mode_5_with_the_right_key():
    frame = encrypted_telegram(PLAIN)

    decoded = decode(frame, KEY)

    assert decoded.security_mode == 5
    assert decoded.billing_values()["total_m3"] == Decimal("12345.678")


def test_it_reports_a_wrong_key_instead_of_garbage():
    frame = encrypted_telegram(PLAIN)

    with pytest.raises(WrongKey) as error:
        decode(frame, bytes(16))

    assert "2F2F" in error.value.message
    assert error.value.field == "telegram"


def test_it_reports_a_missing_key():
    frame = encrypted_telegram(PLAIN)

    with pytest.raises(KeyMissing):
        decode(frame)


def test_it_rejects_a_key_of_the_wrong_length():
    frame = encrypted_telegram(PLAIN)

    with pytest.raises(InvalidValue) as error:
        decode(frame, b"short")

    assert error.value.field == "key"
