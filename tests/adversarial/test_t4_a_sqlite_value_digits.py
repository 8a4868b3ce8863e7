"""T4 (A, readings import on SQLite): docs/importing.md accepts a value of up to
fourteen integer digits and six decimals (Reading.value is 20 digits, 6
decimals), but SQLite keeps a decimal column as a REAL of about 15 significant
digits: a longer value is stored rounded (1234567890.123456 reads back as
1234567890.123460), and 99999999999999.999999 is stored as 100000000000000, which
Django cannot read back at all (decimal.InvalidOperation on every query of that
register's readings, the bill run's included). Both CSV paths (columns and row by
row) accept these values; PostgreSQL's numeric(20, 6) keeps them exactly.

Since fixed (docs/importing.md, field `value`; docs/limits.md): on SQLite an import
rejects a value of more than 15 significant digits; these tests hold that."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register

TODAY = date(2026, 12, 4)


@pytest.fixture
def w1(org, branches):
    from meterbill.premises.models import Utility

    cold = Utility.objects.create(
        organisation=org, code="cold", name="Cold water", kind="cold_water", unit="m3"
    )
    meter = Meter.objects.create(
        branch=branches["north"], kind="apartment", utility=cold, serial="W1"
    )
    return Register.objects.create(meter=meter, unit="m3")


def test_fifteen_digits_read_back_exactly(branches, w1):
    report = import_readings(
        b"meter,date,value\nW1,2026-11-30,123456789.123456\n",
        fmt="csv",
        branch=branches["north"],
        filename="v.csv",
        options=ImportOptions(today=TODAY),
    )
    assert report.rows_imported == 1
    assert Reading.objects.get(register=w1).value == Decimal("123456789.123456")


@pytest.mark.parametrize(
    "value", ["1234567890.123456", "12345678901234.56", "99999999999999.999999"]
)
def test_a_value_beyond_fifteen_digits_is_rejected_on_sqlite(branches, w1, value):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: the other databases store numeric(20, 6) exactly")
    report = import_readings(
        f"meter,date,value\nW1,2026-11-30,{value}\n".encode(),
        fmt="csv",
        branch=branches["north"],
        filename="v.csv",
        options=ImportOptions(today=TODAY),
    )

    # 16, 16 and 20 significant digits: SQLite's REAL keeps 15, so each is
    # refused naming its line and field, and nothing is stored
    assert report.rows_imported == 0
    assert [(e.line, e.field) for e in report.rejected] == [(2, "value")]
    assert "significant digits" in str(report.rejected[0])
    assert not Reading.objects.filter(register=w1).exists()


def test_an_accepted_value_does_not_fail_the_bill_run(small_building, branches):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: the other databases store numeric(20, 6) exactly")
    from meterbill.billing.billrun import bill_period

    # given W1's 30 Nov index comes from a file with the largest value that fits
    w1 = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=w1, read_on=date(2026, 11, 30)).delete()
    report = import_readings(
        b"meter,date,value\nW1,2026-11-30,99999999999999.999999\n",
        fmt="csv",
        branch=branches["north"],
        filename="big.csv",
        options=ImportOptions(today=date(2026, 12, 10)),
    )

    # when November is billed
    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then the import refused the row: on SQLite a value keeps 15 significant
    # digits, a longer one is rejected in field `value` (docs/importing.md, the
    # rejection table; docs/limits.md)
    assert report.rows_imported == 0
    assert [(e.line, e.field, e.message) for e in report.rejected] == [
        (
            2,
            "value",
            "99999999999999.999999 has 20 significant digits: the embedded database "
            "(SQLite) keeps 15; PostgreSQL and MariaDB keep 14 integer digits and 6 "
            "decimals",
        )
    ]
    # and the run completes without W1's 30 Nov index: it is estimated by average
    # daily use (docs/billrun.md, "Estimation"): 90 on 30 Sep, 100 on 31 Oct give
    # 10 / 31 m3 a day; 30 days to 30 Nov make 9.677, so 109.677, with a
    # `missing_reading` warning (accepted: warn does not hold the invoice)
    assert (run.status, run.summary["errors"]) == ("done", [])
    assert (run.summary["issued"], run.summary["estimated"]) == (3, 1)
    assert run.summary["findings"] == {"missing_reading": 1}
    assert Reading.objects.get(
        register=w1, read_on=date(2026, 11, 30)
    ).value == Decimal("109.677")


@pytest.mark.parametrize(
    "row",
    [
        "W1,2026-11-30,1234567890.123456",  # read as columns
        '"W1",2026-11-30,1234567890.123456',  # a quote: read row by row
        " W1,2026-11-30,1234567890.123456",  # a padded serial: the full rules
    ],
)
def test_the_rejection_says_what_the_embedded_database_keeps(branches, w1, row):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: the other databases store numeric(20, 6) exactly")

    report = import_readings(
        f"meter,date,value\n{row}\nW1,2026-11-29,123456789012.100000\n".encode(),
        fmt="csv",
        branch=branches["north"],
        filename="v.csv",
        options=ImportOptions(today=TODAY),
    )

    # 16 significant digits are refused; trailing zeros are no digits SQLite loses
    assert [(e.line, e.field, e.message) for e in report.rejected] == [
        (
            2,
            "value",
            "1234567890.123456 has 16 significant digits: the embedded database "
            "(SQLite) keeps 15; PostgreSQL and MariaDB keep 14 integer digits and 6 "
            "decimals",
        )
    ]
    stored = Reading.objects.get(register=w1)
    assert (stored.read_on, stored.value) == (
        date(2026, 11, 29),
        Decimal("123456789012.1"),
    )
