"""A value is stored only when it fits Reading.value (20 digits, 6 decimals): more
than six decimals (trailing zeros count) or fourteen integer digits is rejected."""

from decimal import Decimal

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading

from .conftest import TODAY

CSV = (
    "meter,date,value\n"
    "W1,2026-11-01,1234567.123456\n"  # line 2: six decimals, fits
    "W1,2026-11-02,100000000000000\n"  # line 3: 15 integer digits
    "W1,2026-11-03,1.1234567\n"  # line 4: seven decimals
    "W1,2026-11-04,1.1000000\n"  # line 5: seven decimals, trailing zeros
    "W1,2026-11-05,0.000001\n"  # line 6: six decimals, fits
    "W1,2026-11-06,0\n"  # line 7: zero fits
)


def test_it_stores_the_values_that_fit_and_rejects_the_others(branches, water_meters):
    # given the file above
    # when imported
    report = import_readings(
        CSV.encode(),
        fmt="csv",
        branch=branches["north"],
        filename="precision.csv",
        options=ImportOptions(today=TODAY),
    )

    # then lines 3, 4 and 5 are rejected by their value, the others stored as read
    assert [str(e) for e in report.rejected] == [
        "precision.csv:3: field value: 100000000000000 exceeds the stored precision",
        "precision.csv:4: field value: 1.1234567 exceeds the stored precision",
        "precision.csv:5: field value: 1.1000000 exceeds the stored precision",
    ]
    stored = Reading.objects.filter(batch_id=report.batch_id).order_by("read_on")
    assert [r.value for r in stored] == [
        Decimal("1234567.123456"),
        Decimal("0.000001"),
        Decimal(0),
    ]
