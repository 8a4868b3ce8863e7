"""An estimate that closed a billed period too high is settled by the next actual
below it: the period runs from the estimate to the actual, a negative quantity that
credits the customer. Only a closing index below the last actual index before the
estimate is still a register decrease."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
DEC_1, DEC_14, DEC_31 = date(2026, 12, 1), date(2026, 12, 14), date(2026, 12, 31)
OCT_31, NOV_30 = date(2026, 10, 31), date(2026, 11, 30)
LAST_ACTUAL = ReadingIn(1, OCT_31, D("100.000"))
ESTIMATE = ReadingIn(2, NOV_30, D("109.677"), status="estimated", source="estimate")


def water(*readings: ReadingIn, removed_on: date | None = None) -> RegisterIn:
    return RegisterIn(
        1, "W1", 6, D(1), [LAST_ACTUAL, ESTIMATE, *readings], removed_on=removed_on
    )


def test_an_actual_below_the_estimate_is_settled_as_a_negative_quantity():
    # given November billed 100 → estimate 109.677; the actual read two weeks
    # later, on 14 Dec, is 105 and is December's closing index
    result = period_consumption(water(ReadingIn(3, DEC_14, D("105"))), DEC_1, DEC_31)

    # then December runs 109.677 → 105 = −4.677 m3: the estimate billed 4.677 too
    # much (November's 9.677 − 4.677 = 5 = 105 − 100), no finding holds the bill
    assert result.quantity == D("-4.677")
    assert result.findings == []
    assert not result.held
    assert result.settlement is not None
    assert result.settlement.difference == D("-4.677")
    assert result.trace()["settlement"]["text"] == (
        "estimate of 30 Nov 2026 109.677, actual 105.000 read on 14 Dec 2026: "
        "-4.677 settled in this bill"
    )


def test_the_settlement_and_the_new_periods_use_add_up():
    # given the same estimate, 105 on 14 Dec and 108 on 31 Dec
    result = period_consumption(
        water(ReadingIn(3, DEC_14, D("105")), ReadingIn(4, DEC_31, D("108"))),
        DEC_1,
        DEC_31,
    )

    # then December bills 108 − 109.677 = −1.677: −4.677 settled plus the 3 m3 used
    # from 14 to 31 Dec (105 → 108); no register_decrease, no low_use
    assert result.quantity == D("-1.677")
    assert result.quantity == D("-4.677") + D(3)
    assert result.findings == []
    assert result.settlement is not None
    assert result.settlement.actual.value == D("105")
    assert result.settlement.difference == D("-4.677")


def test_an_actual_below_the_last_actual_is_still_a_register_decrease():
    # given the actual of 14 Dec is 99, below the 100 read on 31 Oct before the
    # estimate: the meter itself went back (misread, unrecorded exchange)
    result = period_consumption(water(ReadingIn(3, DEC_14, D("99"))), DEC_1, DEC_31)

    # then quantity 0 and the blocking register_decrease, as before
    assert result.quantity == 0
    [finding] = result.findings
    assert (finding.rule, finding.severity) == ("register_decrease", "block")
    assert finding.reading_id == 3
    assert result.held


def test_an_actual_equal_to_the_last_actual_is_settled_in_full():
    # given the actual of 14 Dec is 100, the very index of 31 Oct: November's
    # estimate billed 9.677 for nothing used
    result = period_consumption(water(ReadingIn(3, DEC_14, D("100"))), DEC_1, DEC_31)

    # then December credits all of it: 100 − 109.677 = −9.677
    assert result.quantity == D("-9.677")
    assert result.findings == []


def test_an_estimate_without_an_actual_before_it_is_not_settled_below():
    # given a register whose only index before the fall is the estimate itself
    reg = RegisterIn(1, "W1", 6, D(1), [ESTIMATE, ReadingIn(3, DEC_14, D("105"))])

    result = period_consumption(reg, DEC_1, DEC_31)

    # then nothing bounds the fall: register_decrease, billed 0
    assert result.quantity == 0
    assert [f.rule for f in result.findings] == ["register_decrease"]


def test_the_multiplier_applies_to_the_settlement():
    # given a multiplier of 10 (a pulse register), estimate 109.677, actual 105
    reg = RegisterIn(
        1, "E1", 6, D(10), [LAST_ACTUAL, ESTIMATE, ReadingIn(3, DEC_14, D("105"))]
    )

    result = period_consumption(reg, DEC_1, DEC_31)

    # then (105 − 109.677) × 10 = −46.77
    assert result.quantity == D("-46.770")
    assert result.findings == []


def test_an_old_meter_removed_below_its_billed_estimate_settles_the_same_way():
    # given W1 removed on 14 Dec with the final index 105, below the billed
    # estimate 109.677 of 30 Nov (metering.exchange accepts it: not below 100)
    result = period_consumption(
        water(ReadingIn(3, DEC_14, D("105")), removed_on=DEC_14), DEC_1, DEC_31
    )

    # then the old meter's part is 105 − 109.677 = −4.677, no finding
    assert result.quantity == D("-4.677")
    assert result.findings == []
    assert result.settlement is not None
    assert result.settlement.actual.reading_id == 3
