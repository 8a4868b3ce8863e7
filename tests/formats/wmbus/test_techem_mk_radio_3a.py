"""Techem MK Radio 3a (version 0x50, device type 0x72): CI-field 0xA2, a
manufacturer-specific payload."""

from decimal import Decimal

from meterbill.formats.wmbus import decode

# Manufacturer TCH: (20 << 10) | (3 << 5) | 8 = 0x5068, sent little-endian.
TCH = bytes([0x68, 0x50])
ID_12345678 = bytes([0x78, 0x56, 0x34, 0x12])


def _mk_radio_3a(payload: bytes, version: int = 0x50, device_type: int = 0x72):
    rest = bytes([0x44]) + TCH + ID_12345678 + bytes([version, device_type])
    rest += bytes([0xA2]) + payload
    return bytes([len(rest)]) + rest


def test_it_reads_the_total_volume_in_tenths_of_a_cubic_metre():
    # Status 00 00; date 2025-03-15 = 15 | 3 << 5 | 25 << 9 = 0x326F; total
    # 0x003039 = 12345 tenths = 1234.5 m3; then two months of history.
    payload = bytes.fromhex("0000" + "6F32" + "393000" + "0C00" + "0B00")

    decoded = decode(_mk_radio_3a(payload))

    assert decoded.manufacturer == "TCH"
    assert decoded.billing_values()["total_m3"] == Decimal("1234.5")


def test_it_keeps_mk_radio_3_and_4_on_their_own_layout():
    # Version 0x74 (MK Radio 3): set-date volume 0x0064 = 10.0 m3 at bytes 4-5,
    # volume since then 0x0005 = 0.5 m3 at bytes 8-9; the total is their sum.
    payload = bytes.fromhex("00" + "0000" + "6400" + "0000" + "0500")

    decoded = decode(_mk_radio_3a(payload, version=0x74, device_type=0x72))

    assert decoded.billing_values()["total_m3"] == Decimal("10.5")
