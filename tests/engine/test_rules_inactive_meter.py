"""inactive_meter: use shown on days the meter was not in place (a reading before
its installation, or a different index after its removal). A meter read on its
removal or installation day (an exchange) raises nothing."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def meter(
    closing: str,
    installed_on: date | None = None,
    removed_on: date | None = None,
    closing_on: date = date(2026, 11, 20),
) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 10, 31), D(100)),
        ReadingIn(2, closing_on, D(closing)),
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


def test_it_bills_a_meter_up_to_its_final_index_on_the_removal_day():
    reg = meter("110", removed_on=date(2026, 11, 20))

    result = period_consumption(reg, NOV_1, NOV_30)

    # 100 on 31 Oct to the final index 110 on 20 Nov: 10, nothing to flag
    assert result.quantity == D(10)
    assert result.findings == []


def test_it_flags_and_leaves_out_a_reading_after_the_removal():
    reg = meter("110", removed_on=date(2026, 11, 15), closing_on=date(2026, 11, 25))

    result = period_consumption(reg, NOV_1, NOV_30)

    # the 25 Nov reading is not used: no reading from the removal, so the closing is
    # unknown and there is too little history to estimate one
    assert result.closing is None
    assert [(f.rule, f.reading_id) for f in result.findings] == [
        ("no_estimate", None),
        ("inactive_meter", 2),
    ]
    assert "after its removal on 2026-11-15" in result.findings[1].message


def test_it_flags_a_reading_before_the_installation():
    reg = meter("110", installed_on=date(2026, 11, 5))

    result = period_consumption(reg, NOV_1, NOV_30)

    # the 31 Oct reading predates the meter: not its opening index
    assert result.opening is not None and result.opening.reading_id == 2
    rules = [f.rule for f in result.findings]
    assert "inactive_meter" in rules
    inactive = next(f for f in result.findings if f.rule == "inactive_meter")
    assert "before its installation on 2026-11-05" in inactive.message
    assert inactive.reading_id == 1


def test_it_accepts_a_meter_active_over_the_whole_period():
    reg = meter("110", installed_on=date(2026, 1, 10), removed_on=date(2026, 12, 1))

    result = period_consumption(reg, NOV_1, NOV_30)

    assert result.findings == []


def test_it_says_nothing_of_a_removed_meter_that_consumed_nothing():
    reg = meter("100", removed_on=date(2026, 11, 20))

    result = period_consumption(reg, NOV_1, NOV_30, {"zero_consumption": "off"})

    assert result.findings == []
