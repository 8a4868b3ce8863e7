from datetime import date
from decimal import Decimal

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, RejectedRow

from .conftest import TODAY
from .telegrams import VOLUME_12345_678, encrypted, telegram

KEY = bytes(range(16))


def test_it_stores_the_register_value_of_a_known_radio_meter(branches, water_meters):
    good = telegram("12345678", VOLUME_12345_678)
    data = f"2026-11-30T06:00:00Z;{good}\n"

    report = import_readings(
        data.encode(),
        fmt="wmbus",
        branch=branches["north"],
        filename="radio.txt",
        options=ImportOptions(today=TODAY),
    )

    assert (report.rows_imported, report.rows_rejected) == (1, 0)
    reading = Reading.objects.get()
    assert (reading.register_id, reading.read_on, reading.value, reading.source) == (
        water_meters["R1"].pk,
        date(2026, 11, 30),
        Decimal("12345.678"),
        "radio",
    )


def test_it_rejects_truncated_unknown_and_undecryptable_telegrams(
    branches, water_meters
):
    Meter.objects.filter(serial="R1").update(aes_key=KEY.hex())
    good = encrypted("12345678", KEY)
    data = (
        f"2026-11-30T06:00:00Z;{good}\n"
        f"2026-11-30T06:00:00Z;{good[:-6]}\n"  # line 2: truncated
        f"2026-11-30T06:00:00Z;{telegram('87654321', VOLUME_12345_678)}\n"
        f"2026-11-30T06:00:00Z;{encrypted('12345678', bytes(16))}\n"  # wrong key
        f"{good}\n"  # line 5: no timestamp
    )

    report = import_readings(
        data.encode(),
        fmt="wmbus",
        branch=branches["north"],
        filename="radio.txt",
        options=ImportOptions(today=TODAY),
    )

    assert report.rows_imported == 1
    assert [(e.line, e.field) for e in report.rejected] == [
        (2, "telegram"),
        (3, "meter"),
        (4, "telegram"),
        (5, "date"),
    ]
    assert "unknown meter '87654321'" in report.rejected[1].message
    assert RejectedRow.objects.filter(batch_id=report.batch_id).count() == 4
