from datetime import date
from decimal import Decimal

from meterbill.formats.wmbus import read

from .builders import KEY, encrypted_telegram, telegram

PLAIN = bytes.fromhex("2F2F0C1378563412") + b"\x2f" * 8
WATER_HEX = telegram(bytes.fromhex("0C1378563412")).hex().upper()
ENCRYPTED_HEX = encrypted_telegram(PLAIN).hex()


def test_it_reads_timestamped_lines_and_json_lines():
    data = (
        f"2024-01-31T10:00:00Z;{WATER_HEX}\n"
        f'{{"telegram": "{WATER_HEX}", "timestamp": "2024-02-29 08:00"}}\n'
        f"{WATER_HEX}\n"
    )

    result = read(data, filename="radio.txt")

    assert result.ok
    totals = [row for row in result.rows if row.register == "total_m3"]
    assert [(r.line, r.read_on) for r in totals] == [
        (1, date(2024, 1, 31)),
        (2, date(2024, 2, 29)),
        (3, None),
    ]
    assert totals[0].value == Decimal("12345.678")
    assert totals[0].unit == "m3"
    assert totals[0].meter_id == "12345678"
    assert totals[0].manufacturer == "KAM"


def test_it_uses_the_key_of_the_meter():
    data = f"2024-01-31 10:00:00\t{ENCRYPTED_HEX}\n"

    result = read(data.encode(), keys={"12345678": KEY.hex()})

    assert result.ok
    assert result.rows[0].value == Decimal("12345.678")


def test_it_reports_one_error_per_bad_line_naming_file_line_and_field():
    data = f"{ENCRYPTED_HEX}\n{WATER_HEX}\n{WATER_HEX[:-6]}\nnot hex\n"

    result = read(data, filename="radio.txt", keys={"12345678": bytes(16)})

    assert [(e.file, e.line, e.field) for e in result.errors] == [
        ("radio.txt", 4, "telegram"),
        ("radio.txt", 1, "telegram"),
        ("radio.txt", 3, "telegram"),
    ]
    assert "wrong key" in result.errors[1].message
    assert "truncated" in result.errors[2].message
    assert {row.line for row in result.rows} == {2}
