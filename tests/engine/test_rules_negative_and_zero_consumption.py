"""negative_consumption (consumption rows below zero) and zero_consumption (a meter
that measured nothing in the period)."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def rows(*values: str) -> RegisterIn:
    readings = [
        ReadingIn(n, date(2026, 11, n), D(v), kind="consumption")
        for n, v in enumerate(values, start=1)
    ]
    return RegisterIn(7, "E7", 8, D(1), readings, kind="consumption")


def index(opening: str, closing: str) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 10, 31), D(opening)),
        ReadingIn(2, NOV_30, D(closing), source="manual"),
    ]
    return RegisterIn(8, "W8", 6, D(1), readings)


def test_it_blocks_a_negative_consumption_row():
    register = rows("5", "-2", "4")

    result = period_consumption(register, NOV_1, NOV_30)

    # then the total still sums the rows (5 − 2 + 4 = 7) but the invoice is held on
    # the row of 2 Nov
    assert result.quantity == D(7)
    assert [(f.rule, f.severity, f.reading_id) for f in result.findings] == [
        ("negative_consumption", "block", 2)
    ]
    assert result.held


def test_it_warns_of_an_index_that_did_not_move():
    register = index("500", "500")

    result = period_consumption(register, NOV_1, NOV_30)

    assert result.quantity == 0
    assert [(f.rule, f.severity, f.source) for f in result.findings] == [
        ("zero_consumption", "warn", "manual")
    ]
    assert not result.held


def test_it_warns_of_consumption_rows_that_add_up_to_zero():
    register = rows("0", "0", "0")

    result = period_consumption(register, NOV_1, NOV_30)

    assert [f.rule for f in result.findings] == ["zero_consumption"]


def test_it_does_not_call_a_decrease_billed_as_zero_a_standstill():
    # given the index fell from 500 to 480 and register_decrease is off
    register = index("500", "480")

    result = period_consumption(register, NOV_1, NOV_30, {"register_decrease": "off"})

    # then the quantity is 0 but no zero_consumption (and no low_use) is raised
    assert result.quantity == 0
    assert result.findings == []
