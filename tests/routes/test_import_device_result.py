from datetime import date
from decimal import Decimal

import pytest

from meterbill.metering.imports import ImportRefused
from meterbill.metering.models import ImportBatch, Reading, RejectedRow
from meterbill.metering.routes import import_device_result

D = Decimal


def _device_readings():
    return Reading.objects.filter(source="device").order_by("register__meter__serial")


def test_it_stores_the_readings_with_reader_and_photo(
    small_building, branches, alice, device_csv
):
    report = import_device_result(device_csv, branches["north"], alice)

    assert report.rows_imported == 2
    stored = [
        (r.register.meter.serial, r.read_on, r.value, r.reader, r.photo_ref)
        for r in _device_readings()
    ]
    assert stored == [
        ("W1", date(2026, 11, 29), D("105.5"), "alice", "p-w1.jpg"),
        ("W2", date(2026, 11, 29), D(250), "alice", "p-w2.jpg"),
    ]
    assert {r.entered_by for r in _device_readings()} == {alice}


def test_it_flags_a_value_outside_the_expected_range_and_stores_it(
    small_building, branches, alice, device_csv
):
    # W2 to 29 Nov: 190, 200 → 10/31 per day × 29 days = 9.354…; range 204.677–214.033.
    report = import_device_result(device_csv, branches["north"], alice)

    assert report.rows_flagged == 1
    w1, w2 = _device_readings()
    assert w1.note == ""
    assert w2.note == (
        "outside the route's expected range (204.677–214.033); new meter?"
    )


def test_it_reports_skipped_stops_without_storing_them(
    small_building, branches, alice, device_csv
):
    report = import_device_result(device_csv, branches["north"], alice)

    assert [(s.line, s.meter_serial, s.reason) for s in report.skipped] == [
        (4, "W3", "no access")
    ]
    assert not _device_readings().filter(register__meter__serial="W3").exists()


def test_it_quarantines_exactly_the_rejected_rows(
    small_building, branches, alice, device_csv
):
    report = import_device_result(device_csv, branches["north"], alice)

    batch = ImportBatch.objects.get(pk=report.batch_id)
    quarantined = [
        (r.line, r.field, r.message)
        for r in RejectedRow.objects.filter(batch=batch).order_by("line")
    ]
    assert quarantined == [
        (5, "meter_serial", "unknown meter 'X9' in branch N"),
        (6, "register", "meter 'W1' has no register '7'"),
    ]
    assert (batch.rows_read, batch.rows_imported, batch.rows_rejected) == (5, 2, 2)
    assert batch.format == "device"


def test_it_reports_duplicates_on_a_second_import_of_the_same_file(
    small_building, branches, alice, device_csv
):
    import_device_result(device_csv, branches["north"], alice)

    again = import_device_result(device_csv, branches["north"], alice)

    assert (again.rows_imported, again.rows_duplicate) == (0, 2)
    assert _device_readings().count() == 2


def test_it_rejects_a_meter_outside_the_users_branch(
    small_building, south_meter, branches, alice
):
    data = (
        b"meter_serial,register,value,read_at,reader_id\n"
        b"S1,1,5,2026-11-29T09:00:00Z,alice\n"
        b"W1,1,105,2026-11-29T09:00:00Z,alice\n"
    )

    report = import_device_result(data, branches["hq"], alice, filename="d.csv")

    assert [str(e) for e in report.rejected] == [
        "d.csv:2: field meter_serial: meter 'S1' is outside your branch"
    ]
    assert report.rows_imported == 1


def test_it_refuses_a_branch_outside_the_users_subtree(
    small_building, branches, bob, device_csv
):
    with pytest.raises(ImportRefused, match="branch N is not in your branch"):
        import_device_result(device_csv, branches["north"], bob)

    assert not ImportBatch.objects.exists()


def test_it_refuses_a_file_that_is_not_a_result_and_stores_nothing(
    small_building, branches, alice
):
    data = b"serial,value\nW1,105\n"

    with pytest.raises(ImportRefused, match="unknown column"):
        import_device_result(data, branches["north"], alice, filename="x.csv")

    assert not ImportBatch.objects.exists()


def test_it_dates_a_reading_in_the_branchs_time_zone(small_building, branches, alice):
    north = branches["north"]
    north.time_zone = "Europe/Bucharest"
    north.save()
    data = (
        b"meter_serial,register,value,read_at,reader_id\n"
        b"W1,1,105,2026-11-28T23:30:00Z,alice\n"
    )

    import_device_result(data, north, alice, filename="late.csv")

    assert _device_readings().get().read_on == date(2026, 11, 29)


def test_it_rejects_a_reading_dated_after_today(small_building, branches, alice):
    data = (
        b"meter_serial,register,value,read_at,reader_id\n"
        b"W1,1,105,2026-11-29T09:00:00Z,alice\n"
    )

    report = import_device_result(
        data, branches["north"], alice, filename="d.csv", today=date(2026, 11, 28)
    )

    assert [str(e) for e in report.rejected] == [
        "d.csv:2: field read_at: 2026-11-29 is in the future"
    ]


def test_it_rejects_a_reading_at_the_end_of_the_calendar(
    small_building, branches, alice
):
    data = (
        b"meter_serial,register,value,read_at,reader_id\n"
        b"W1,1,105,9999-12-31T23:59:59-23:00,alice\n"
    )

    report = import_device_result(data, branches["north"], alice, filename="d.csv")

    assert [(e.line, e.field) for e in report.rejected] == [(2, "read_at")]
