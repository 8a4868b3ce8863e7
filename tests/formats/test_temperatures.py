"""The temperature file of the advance forecast: exact Decimals, errors that name the
file, line and field."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.formats import temperatures
from meterbill.formats.errors import InvalidFormat


def test_it_reads_days_and_exact_temperatures():
    result = temperatures.read("date,temperature_c\n2026-01-01,-2.5\n2026-01-02,0\n")

    assert result.ok
    assert result.rows == [
        (date(2026, 1, 1), Decimal("-2.5")),
        (date(2026, 1, 2), Decimal("0")),
    ]


def test_it_accepts_semicolons_and_decimal_commas():
    result = temperatures.read("temperature_c;date\n3,25;2026-01-01\n")

    assert result.rows == [(date(2026, 1, 1), Decimal("3.25"))]


def test_it_names_the_line_and_field_of_each_bad_row():
    text = (
        "date,temperature_c\n2026-01-01,3\n2026-13-01,3\n2026-01-02,hot\n"
        "2026-01-01,4\n2026-01-03,75\n"
    )

    result = temperatures.read(text, "t.csv")

    assert [str(e) for e in result.errors] == [
        "t.csv:3: field date: '2026-13-01' is not a date (YYYY-MM-DD)",
        "t.csv:4: field temperature_c: 'hot' is not a number",
        "t.csv:5: field date: 2026-01-01 already given on line 2",
        "t.csv:6: field temperature_c: 75 °C is not a plausible air temperature",
    ]
    assert result.rows == [(date(2026, 1, 1), Decimal(3))]


def test_it_refuses_a_file_without_the_header():
    with pytest.raises(InvalidFormat, match=r"t\.csv:1: header must name"):
        temperatures.read("2026-01-01,3\n", "t.csv")
