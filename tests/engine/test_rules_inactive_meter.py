"""inactive_meter: consumption on a meter removed before the period's end or
installed after its start."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def meter(
    closing: str, installed_on: date | None = None, removed_on: date | None = None
) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 10, 31), D(100)),
        ReadingIn(2, date(2026, 11, 20), D(closing)),
    ]
    return RegisterIn(
        2,
        "W2",
        6,
        D(1),
        readings,
        installed_on=installed_on,
        removed_on=removed_on,
    )


def test_it_flags_consumption_on_a_meter_removed_mid_period():
    reg = meter("110", removed_on=date(2026, 11, 20))

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.quantity == D(10)
    assert [(f.rule, f.severity, f.reading_id) for f in result.findings] == [
        ("inactive_meter", "review", 2)
    ]
    assert "removed on 2026-11-20" in result.findings[0].message


def test_it_flags_consumption_on_a_meter_installed_mid_period():
    reg = meter("110", installed_on=date(2026, 11, 5))

    result = period_consumption(reg, NOV_1, NOV_30)

    assert [f.rule for f in result.findings] == ["inactive_meter"]
    assert "installed on 2026-11-05" in result.findings[0].message


def test_it_accepts_a_meter_active_over_the_whole_period():
    reg = meter("110", installed_on=date(2026, 1, 10), removed_on=date(2026, 12, 1))

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []


def test_it_says_nothing_of_a_removed_meter_that_consumed_nothing():
    reg = meter("100", removed_on=date(2026, 11, 20))

    result = period_consumption(reg, NOV_1, NOV_30, {"zero_consumption": "off"})

    assert result.findings == []
