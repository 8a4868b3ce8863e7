"""What an invoice line can store: ``pricing.stored_fault`` checks a number as
its column keeps it (rounded to its places, at most 15 significant digits), and a
decimal error of rating is said in words."""

from __future__ import annotations

from decimal import Decimal, DivisionByZero, InvalidOperation, Overflow

import pytest

from meterbill.engine.pricing import (
    LINE_AMOUNT,
    LINE_QUANTITY,
    LINE_UNIT_PRICE,
    OUT_OF_RANGE,
    arithmetic_text,
    stored_fault,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "column"),
    [
        (D("5.00"), LINE_AMOUNT),
        (D("-1234.56"), LINE_AMOUNT),
        (D("9999999999999.99"), LINE_AMOUNT),  # 15 significant digits
        (D("3.333333333333333333333333333"), LINE_QUANTITY),  # rounded to 6 places
        (D("99999999.9999994"), LINE_UNIT_PRICE),
        (D("1E+11"), LINE_UNIT_PRICE),
        (D("0"), LINE_AMOUNT),
    ],
)
def test_a_number_the_column_keeps_has_no_fault(value, column):
    assert stored_fault("unit price", value, column, "an invoice line") == ""


def test_a_price_that_rounds_to_ten_to_the_twelve_is_too_large():
    why = stored_fault(
        "unit price", D("999999999999.9999995"), LINE_UNIT_PRICE, "an invoice line"
    )

    assert why == (
        "the unit price 1000000000000.000000 is too large for an invoice line "
        "(at most 12 digits before the decimal point)"
    )


def test_an_amount_beyond_sixteen_digits_is_too_large_whatever_its_sign():
    why = stored_fault("amount", D("-1E+17"), LINE_AMOUNT, "an invoice line")

    assert why == (
        "the amount -100000000000000000.00 is too large for an invoice line "
        "(at most 16 digits before the decimal point)"
    )


def test_an_amount_a_double_cannot_keep_does_not_fit():
    # 16 significant digits: SQLite would read back 12345678901234.60
    why = stored_fault("amount", D("12345678901234.56"), LINE_AMOUNT, "an invoice")

    assert why == (
        "the amount 12345678901234.56 does not fit an invoice "
        "(at most 15 significant digits)"
    )


def test_a_price_with_more_digits_than_a_double_keeps_does_not_fit():
    # 18 significant digits: SQLite reads 999999999999.999999 back as 10^12
    why = stored_fault(
        "unit price", D("999999999999.999999"), LINE_UNIT_PRICE, "an invoice line"
    )

    assert why.endswith("(at most 15 significant digits)")


def test_a_huge_or_infinite_number_is_named_briefly():
    huge = stored_fault("amount", D("1E+1000000"), LINE_AMOUNT, "an invoice line")
    infinite = stored_fault("amount", D("Infinity"), LINE_AMOUNT, "an invoice line")

    assert huge.startswith("the amount 1E+1000000 is too large")
    assert infinite == "the amount Infinity is not a finite number"


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (Overflow(), OUT_OF_RANGE),
        (InvalidOperation(), OUT_OF_RANGE),
        (DivisionByZero(), "a division by zero"),
        (ZeroDivisionError(), "a division by zero"),
    ],
)
def test_a_decimal_error_is_said_in_words(error, text):
    assert arithmetic_text(error) == text
    assert "<class" not in text
