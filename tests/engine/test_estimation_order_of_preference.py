"""The branch's methods are tried in order; the first that can estimate wins."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.estimation import METHODS, method_errors

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
READINGS = [
    ReadingIn(1, date(2025, 10, 31), D("500")),
    ReadingIn(2, date(2025, 11, 30), D("530")),
    ReadingIn(3, date(2026, 10, 31), D("800")),
    ReadingIn(4, date(2026, 12, 10), D("840")),
]


def estimate_with(*methods: str) -> tuple[str, Decimal]:
    reg = RegisterIn(5, "W5", 6, D(1), READINGS, estimation=methods)
    found = period_consumption(reg, NOV_1, NOV_30).estimate
    assert found is not None
    return found.method, found.value


def test_it_takes_the_first_method_that_can_estimate():
    # interpolation: 800 + 40 × 30 / 40 = 830; last year: 800 + 30 = 830;
    # average daily: 300 in the 365 days 31 Oct 2025 → 31 Oct 2026, × 30 = 24.657…
    assert estimate_with("interpolation", "average_daily") == (
        "interpolation",
        D("830"),
    )
    assert estimate_with("same_period_last_year", "interpolation") == (
        "same_period_last_year",
        D("830"),
    )
    assert estimate_with("average_daily", "interpolation") == (
        "average_daily",
        D("824.658"),
    )
    # degree_day has no temperatures here, so the next one answers
    assert estimate_with("degree_day", "average_daily")[0] == "average_daily"


def test_it_uses_average_daily_use_without_a_setting():
    reg = RegisterIn(5, "W5", 6, D(1), READINGS)

    found = period_consumption(reg, NOV_1, NOV_30).estimate

    assert found is not None and found.method == "average_daily"


def test_it_names_unknown_and_repeated_methods():
    assert method_errors(list(METHODS)) == []
    assert method_errors(["average_daily", "guess", "average_daily"]) == [
        "unknown estimation method 'guess'",
        "estimation method 'average_daily' is listed twice",
    ]
