import pytest

from meterbill.formats.errors import InvalidFormat
from meterbill.formats.wmbus import decode
from meterbill.formats.wmbus.link import crc16

from .builders import telegram

VOLUME = bytes.fromhex("0C1378563412")  # BCD 12345678 litres


def _with_format_a_crcs(frame: bytes) -> bytes:
    """Insert a CRC after the first 10 bytes and after every 16 bytes after them."""
    blocks = [frame[:10]] + [frame[i : i + 16] for i in range(10, len(frame), 16)]
    return b"".join(b + crc16(b).to_bytes(2, "big") for b in blocks)


def test_it_reads_manufacturer_id_version_and_media():
    frame = telegram(VOLUME)

    decoded = decode(frame)

    assert decoded.manufacturer == "KAM"
    assert decoded.id == "12345678"
    assert decoded.version == 0x1B
    assert decoded.media == "water"
    assert decoded.ci_field == 0x7A
    assert decoded.access_number == 0x2A


def test_it_strips_format_a_crc_blocks():
    frame = telegram(VOLUME)

    decoded = decode(_with_format_a_crcs(frame))

    assert decoded.id == "12345678"
    assert str(decoded.billing_values()["total_m3"]) == "12345.678"


def test_it_rejects_a_truncated_telegram():
    frame = telegram(VOLUME)

    with pytest.raises(InvalidFormat) as error:
        decode(frame[:-3])

    assert error.value.field == "telegram"
    assert "truncated" in error.value.message


def test_it_maps_status_error_bits():
    frame = telegram(VOLUME, status=0x0B)  # alarm (bits 0-1) + permanent error

    decoded = decode(frame)

    assert decoded.status_flags == ["ALARM", "PERMANENT_ERROR"]
    assert decoded.billing_values()["status"] == "ALARM PERMANENT_ERROR"
