"""branch_sum: the branching counters under a meter, summed over the period,
against the meter itself, with a relative and an absolute tolerance."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.rules import Checker, check_branch_sum

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def measured(register_id: int, opening: str, closing: str, multiplier: str = "1"):
    reg = RegisterIn(
        register_id,
        f"M{register_id}",
        8,
        D(multiplier),
        [
            ReadingIn(register_id * 10, date(2026, 10, 31), D(opening)),
            ReadingIn(register_id * 10 + 1, NOV_30, D(closing)),
        ],
    )
    return period_consumption(reg, NOV_1, NOV_30)


def test_it_flags_counters_that_add_up_to_far_less_than_their_meter():
    # given a main meter that measured 100 and two counters 40 + 45 = 85
    main = measured(1, "1000", "1100")
    children = [measured(2, "0", "40"), measured(3, "0", "45")]

    finding = check_branch_sum(main, children, Checker())

    # then 15 apart; the tolerance is max(5 % × 100, 1) = 5: review by default
    assert finding is not None
    assert (finding.rule, finding.severity, finding.register_id) == (
        "branch_sum",
        "review",
        1,
    )
    assert finding.reading_id == 11
    assert finding.message == (
        "meter M1: 100.000 against 85.000 on its 2 branching counter(s), 15.000 "
        "apart (tolerance 5.000)"
    )


def test_it_accepts_a_difference_within_the_tolerances():
    # given 100 against 96: 4 apart, within 5 % of 100
    main = measured(1, "1000", "1100")
    children = [measured(2, "0", "50"), measured(3, "0", "46")]
    assert check_branch_sum(main, children, Checker()) is None

    # and a small meter: 3 against 1.5 is 50 % apart but within the absolute 2 units
    small = measured(1, "0", "3")
    assert (
        check_branch_sum(small, [measured(2, "0", "1.5")], Checker(), D("0.05"), D(2))
        is None
    )


def test_it_compares_after_the_multipliers():
    # given a main meter counting in tens (multiplier 10): 10 → 20 is 100 units;
    # one counter measured 100
    main = measured(1, "10", "20", multiplier="10")
    assert main.quantity == D(100)

    assert check_branch_sum(main, [measured(2, "0", "100")], Checker()) is None


def test_its_severity_is_the_branchs_and_it_can_be_off():
    main = measured(1, "1000", "1100")
    children = [measured(2, "0", "40")]

    blocking = check_branch_sum(main, children, Checker({"branch_sum": "block"}))
    off = check_branch_sum(main, children, Checker({"branch_sum": "off"}))

    assert blocking is not None and blocking.holds_invoice
    assert off is None


def test_it_does_not_compare_estimated_figures():
    # given a counter without a November reading: its use is an estimate
    main = measured(1, "1000", "1100")
    estimated = period_consumption(
        RegisterIn(
            2,
            "M2",
            8,
            D(1),
            [
                ReadingIn(20, date(2026, 9, 30), D(0)),
                ReadingIn(21, date(2026, 10, 31), D(31)),
            ],
        ),
        NOV_1,
        NOV_30,
    )
    assert estimated.estimate is not None

    assert check_branch_sum(main, [estimated], Checker()) is None
