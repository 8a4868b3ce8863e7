from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from meterbill.engine.entry import check_index, parse_index

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def test_it_reads_a_comma_as_the_decimal_separator():
    assert parse_index(" 1234,567 ") == Decimal("1234.567")


def test_it_refuses_exponents_signs_and_grouping():
    assert [parse_index(t) for t in ("1e3", "-5", "1,234.5", "NaN", "")] == [None] * 5


def test_it_accepts_an_index_equal_to_the_previous_one():
    value, errors = check_index("100", date(2026, 11, 30), *NOV, Decimal(100))

    assert (value, errors) == (Decimal(100), [])


@given(st.text(max_size=30))
def test_it_never_raises_on_any_text(text):
    value, errors = check_index(text, date(2026, 11, 15), *NOV, Decimal(0))

    assert (value is None) == any(e.code == "not_a_number" for e in errors)
