"""prolonged_estimation: the last N closing indexes before the period were estimated."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.rules import RuleConfig

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def register(sep_status: str, oct_status: str) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 8, 31), D(100)),
        ReadingIn(2, date(2026, 9, 30), D(110), status=sep_status, source="estimate"),
        ReadingIn(3, date(2026, 10, 31), D(120), status=oct_status, source="estimate"),
        ReadingIn(4, NOV_30, D(131), source="manual"),
    ]
    return RegisterIn(1, "W1", 6, D(1), readings)


def test_it_flags_two_estimated_closings_in_a_row():
    reg = register("estimated", "estimated")

    result = period_consumption(reg, NOV_1, NOV_30)

    # then the finding names the newest estimate (31 Oct) and its source
    assert result.quantity == D(11)
    assert [(f.rule, f.severity, f.reading_id, f.source) for f in result.findings] == [
        ("prolonged_estimation", "review", 3, "estimate")
    ]


def test_it_accepts_one_estimate_after_an_actual_reading():
    reg = register("actual", "estimated")

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []


def test_it_counts_as_many_estimates_as_configured():
    reg = register("estimated", "estimated")

    result = period_consumption(
        reg, NOV_1, NOV_30, config=RuleConfig(estimated_in_a_row=3)
    )

    # then two estimates are not yet three (31 Aug was actual)
    assert result.findings == []
