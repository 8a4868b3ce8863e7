"""Radio fault and alarm flags: decoded from the telegram's status byte, stored on
the reading, and seen by the bill run's allocator_fault rule."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.formats import wmbus
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading

from .telegrams import ALARM, PERMANENT_ERROR, POWER_LOW, VOLUME_110, telegram

NOV_30 = date(2026, 11, 30)


def test_the_reader_turns_the_status_byte_into_reading_flags():
    cases = {
        0: frozenset(),
        PERMANENT_ERROR: {"fault"},
        POWER_LOW: {"low_battery"},
        ALARM | POWER_LOW: {"alarm", "low_battery"},
    }
    for status, words in cases.items():
        line = f"2026-11-30T06:00:00Z;{telegram('12345678', VOLUME_110, status=status)}"

        [row] = wmbus.read(line, filename="radio.txt").rows

        assert (row.value, row.flags) == (Decimal("110.000"), words), status


def test_a_telegram_with_an_error_flag_raises_allocator_fault_in_the_bill_run(
    small_building, branches
):
    # given W1 of the small building is a radio meter whose 30 Nov index (110) comes
    # from a telegram with the permanent-error bit set
    Meter.objects.filter(serial="W1").update(radio_id="12345678")
    Reading.objects.filter(register__meter__serial="W1", read_on=NOV_30).delete()
    data = f"2026-11-30T06:00:00Z;{telegram('12345678', VOLUME_110, status=0x08)}\n"

    report = import_readings(
        data.encode(),
        fmt="wmbus",
        branch=branches["north"],
        filename="radio.txt",
        options=ImportOptions(today=date(2026, 12, 4)),
    )

    # then the reading is stored with its flag
    assert (report.rows_imported, report.rows_rejected) == (1, 0)
    reading = Reading.objects.get(register__meter__serial="W1", read_on=NOV_30)
    assert (reading.value, reading.source, reading.flags) == (
        Decimal("110"),
        "radio",
        "fault",
    )

    # when November is billed
    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then allocator_fault fires on that reading, for review (billed, not held)
    finding = Finding.objects.get(rule="allocator_fault")
    assert (finding.reading_id, finding.severity) == (reading.pk, "review")
    assert "flagged fault" in finding.message
    assert run.summary["findings"]["allocator_fault"] == 1


def test_a_low_battery_flag_is_kept_but_raises_nothing(small_building, branches):
    Meter.objects.filter(serial="W1").update(radio_id="12345678")
    Reading.objects.filter(register__meter__serial="W1", read_on=NOV_30).delete()
    data = f"2026-11-30T06:00:00Z;{telegram('12345678', VOLUME_110, status=0x04)}\n"
    import_readings(
        data.encode(),
        fmt="wmbus",
        branch=branches["north"],
        filename="radio.txt",
        options=ImportOptions(today=date(2026, 12, 4)),
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert Reading.objects.get(read_on=NOV_30, register__meter__serial="W1").flags == (
        "low_battery"
    )
    assert not Finding.objects.filter(rule="allocator_fault").exists()
