"""A receiver logs the telegrams a meter sends in one burst (a static telegram with
the device data, then a dynamic one with the registers) as one record."""

from decimal import Decimal

from meterbill.formats.wmbus import decode, decode_all, read
from meterbill.formats.wmbus.link import crc16, split_frames

from .builders import telegram

# Static telegram: fabrication number 87654321 (DIF 0C BCD, VIF 78).
STATIC = telegram(bytes.fromhex("0C7821436587"))
# Dynamic telegram: volume, BCD 00012345 litres -> 12.345 m3 (DIF 0C, VIF 13).
DYNAMIC = telegram(bytes.fromhex("0C1345230100"), access_number=0x2B)


def _with_format_a_crcs(frame: bytes) -> bytes:
    blocks = [frame[:10]] + [frame[i : i + 16] for i in range(10, len(frame), 16)]
    return b"".join(b + crc16(b).to_bytes(2, "big") for b in blocks)


def test_it_splits_two_telegrams_of_one_meter_at_their_l_fields():
    capture = STATIC + DYNAMIC

    frames = split_frames(capture)

    assert frames == [STATIC, DYNAMIC]


def test_it_splits_frames_that_carry_format_a_crc_blocks():
    capture = _with_format_a_crcs(STATIC) + _with_format_a_crcs(DYNAMIC)

    telegrams = decode_all(capture)

    # The second frame is the one with the register: 12345 litres.
    assert [t.access_number for t in telegrams] == [0x2A, 0x2B]
    assert telegrams[1].billing_values()["total_m3"] == Decimal("12.345")


def test_it_leaves_bytes_of_another_meter_attached_to_the_first_frame():
    other_meter = bytearray(DYNAMIC)
    other_meter[4] ^= 0xFF  # another meter id

    frames = split_frames(STATIC + bytes(other_meter))

    assert len(frames) == 1


def test_decode_still_reads_only_the_first_telegram():
    decoded = decode(STATIC + DYNAMIC)

    assert decoded.access_number == 0x2A
    assert "total_m3" not in decoded.billing_values()


def test_the_reader_gives_the_registers_of_every_telegram_of_the_line():
    line = (STATIC + DYNAMIC).hex().upper()

    result = read(f"2024-03-01;{line}\n", filename="burst.txt")

    assert result.ok
    assert [(r.register, r.value, r.line) for r in result.rows] == [
        ("total_m3", Decimal("12.345"), 1)
    ]


def test_a_later_telegram_replaces_the_same_register_of_an_earlier_one():
    first = telegram(bytes.fromhex("0C1345230100"))  # 12.345 m3
    second = telegram(bytes.fromhex("0C1346230100"), access_number=0x2B)  # 12.346

    result = read((first + second).hex(), filename="burst.txt")

    assert [(r.register, r.value) for r in result.rows] == [
        ("total_m3", Decimal("12.346"))
    ]
