from datetime import date
from decimal import Decimal

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading, RejectedRow

NOV_30 = date(2026, 11, 30)


def _import(text: str, branch, name: str):
    return import_readings(
        text.encode(),
        fmt="csv",
        branch=branch,
        filename=name,
        options=ImportOptions(),
    )


def test_a_late_actual_reading_replaces_an_unbilled_estimate(small_building, branches):
    # given W1's closing index estimated (not billed yet)
    Reading.objects.filter(register__meter__serial="W1", read_on=NOV_30).update(
        status="estimated", source="estimate", value=Decimal("108.5")
    )

    report = _import(
        "meter,date,value\nW1,2026-11-30,110.25\n", branches["north"], "late.csv"
    )

    assert (report.rows_imported, report.estimates_replaced) == (1, 1)
    stored = Reading.objects.get(register__meter__serial="W1", read_on=NOV_30)
    assert (stored.value, stored.status) == (Decimal("110.25"), "actual")


def test_a_different_value_for_a_stored_actual_reading_is_quarantined(
    small_building, branches
):
    report = _import(
        "meter,date,value\nW1,2026-11-30,600\n", branches["north"], "clash.csv"
    )

    assert (report.rows_imported, report.rows_duplicate) == (0, 0)
    rejected = RejectedRow.objects.get()
    assert (rejected.line, rejected.field) == (2, "value")
    assert "conflicts with the stored actual reading 110" in rejected.message
    stored = Reading.objects.get(register__meter__serial="W1", read_on=NOV_30)
    assert stored.value == 110


def test_the_same_value_again_is_a_duplicate(small_building, branches):
    report = _import(
        "meter,date,value\nW1,2026-11-30,110\n", branches["north"], "same.csv"
    )

    assert (report.rows_imported, report.rows_duplicate) == (0, 1)
