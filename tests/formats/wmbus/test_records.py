import struct
from datetime import date
from decimal import Decimal

from meterbill.formats.wmbus import decode

from .builders import HCA, telegram


def test_it_reads_a_bcd_volume_in_cubic_metres():
    records = bytes.fromhex("0C1378563412")  # VIF 0x13: litres; BCD 12345678

    values = decode(telegram(records)).billing_values()

    assert values["total_m3"] == Decimal("12345.678")


def test_it_reads_hca_units_at_the_set_date():
    records = bytes.fromhex(
        "0B6E890000"  # current units, BCD 000089
        "4B6E520600"  # storage 1: units at set date, BCD 000652
        "426C9F2C"  # storage 1: date type G 0x2C9F = 2020-12-31
    )

    values = decode(telegram(records, device_type=HCA)).billing_values()

    assert values["current_consumption_hca"] == Decimal(89)
    assert values["consumption_at_set_date_hca"] == Decimal(652)
    assert values["set_date"] == date(2020, 12, 31)


def test_it_converts_gigajoules_to_kilowatt_hours():
    records = bytes.fromhex("040E01000000")  # VIF 0x0E: MJ; 1 MJ = 0.2777… kWh

    values = decode(telegram(records)).billing_values()

    assert values["total_energy_consumption_kwh"] == Decimal("0.277778")


def test_it_reads_real32_watt_hours_exactly():
    records = bytes.fromhex("0503") + struct.pack("<f", 534411.625)  # Wh, exact

    values = decode(telegram(records)).billing_values()

    assert values["total_energy_consumption_kwh"] == Decimal("534.411625")


def test_it_ignores_backward_volume_and_skips_manufacturer_records():
    records = bytes.fromhex(
        "04933C10270000"  # backward volume (VIFE 0x3C): 10 m3, not the total
        "04FF2200000000"  # manufacturer-specific VIF 0xFF
        "04130A000000"  # volume: 10 litres
        "0F0102"  # manufacturer data
    )

    decoded = decode(telegram(records))

    assert decoded.billing_values()["total_m3"] == Decimal("0.010")
    assert decoded.manufacturer_data == b"\x01\x02"


def test_it_keeps_storage_tariff_and_function_of_a_record():
    # DIF 0xD4: extension, storage bit 1, function 01 (maximum), int32;
    # DIFE 0x01: storage bits 1-4 = 1, so storage 1 + 2 = 3; tariff 0.
    records = bytes.fromhex("D40113E8030000")

    (record,) = decode(telegram(records)).records

    assert record.function == "maximum"
    assert record.storage == 3
    assert record.value == Decimal("1.000")
