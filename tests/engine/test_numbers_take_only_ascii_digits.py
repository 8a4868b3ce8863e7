"""T1 finding 16: a number typed or written with another script's digits is not a
number (``Decimal("١٢")`` would be 12, and ``\\d`` matches it)."""

from decimal import Decimal

import pytest

from meterbill.engine.entry import parse_index
from meterbill.engine.numbers import NotANumber, plain_decimal


@pytest.mark.parametrize(
    "text",
    ["١٢", "１２", "۱۲", "१२", "12.٥", "1e5", "NaN", "Infinity", "1 000", "1.2.3"],
)
def test_it_refuses_other_scripts_digits_exponents_and_separators(text):
    with pytest.raises(NotANumber):
        plain_decimal(text)
    assert parse_index(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", "12"), (" 12,5 ", "12.5"), ("0.000001", "0.000001"), ("7.10", "7.10")],
)
def test_it_reads_plain_numbers_exactly(text, value):
    assert plain_decimal(text) == Decimal(value)
    assert parse_index(text) == Decimal(value)


def test_it_refuses_a_sign_a_comma_or_decimals_only_when_told():
    assert plain_decimal("-1,5", negative=True) == Decimal("-1.5")
    with pytest.raises(NotANumber, match="negative"):
        plain_decimal("-1")
    with pytest.raises(NotANumber, match="point"):
        plain_decimal("1,5", comma=False)
    # 2 places: 12.340 is 12.34 exactly, 12.345 would lose its 5
    assert plain_decimal("12.340", places=2) == Decimal("12.34")
    with pytest.raises(NotANumber, match="more than 2 decimals"):
        plain_decimal("12.345", places=2)


def test_an_index_has_at_most_14_digits_and_6_decimals():
    assert parse_index("99999999999999.999999") == Decimal("99999999999999.999999")
    assert parse_index("100000000000000") is None
    assert parse_index("1.1234567") is None


@pytest.mark.parametrize(
    ("text", "value"), [(".5", "0.5"), ("5.", "5"), ("-.25", "-0.25"), ("7", "7")]
)
def test_a_lone_point_is_read_where_xsd_decimal_allows_it(text, value):
    assert plain_decimal(text, negative=True, lone_point=True) == Decimal(value)
    with pytest.raises(NotANumber):
        plain_decimal(text if text != "7" else "7,", lone_point=False)


@pytest.mark.parametrize("text", [".", "-", "+.", "٥.", ",5", "1e5"])
def test_a_lone_point_still_needs_ascii_digits(text):
    with pytest.raises(NotANumber):
        plain_decimal(text, negative=True, lone_point=True)
