"""Same period last year: the use between the same calendar days a year earlier."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.estimation import index_on

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
METHODS = ("same_period_last_year", "average_daily")


def test_it_adds_last_years_use_of_the_same_days_to_the_opening():
    # given readings on the same days a year ago: 31 Oct 2025 500, 30 Nov 2025 530
    reg = RegisterIn(
        8,
        "G8",
        6,
        D(1),
        [
            ReadingIn(1, date(2025, 10, 31), D("500")),
            ReadingIn(2, date(2025, 11, 30), D("530")),
            ReadingIn(3, date(2026, 10, 31), D("800")),
        ],
        estimation=METHODS,
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then last year's 31 Oct → 30 Nov used 530 − 500 = 30, so 800 + 30 = 830.000
    assert result.estimate is not None
    assert result.estimate.method == "same_period_last_year"
    assert result.estimate.value == D("830")
    assert result.estimate.basis == (
        "same period last year 2025-10-31–2025-11-30: 30.000"
    )
    assert result.quantity == D(30)


def test_it_interpolates_last_years_indexes_between_the_readings_around_them():
    # given last year's readings on 15 Oct 2025 (400), 15 Nov 2025 (431) and
    # 15 Dec 2025 (491), none on 31 Oct or 30 Nov
    reg = RegisterIn(
        8,
        "G8",
        6,
        D(1),
        [
            ReadingIn(1, date(2025, 10, 15), D("400")),
            ReadingIn(2, date(2025, 11, 15), D("431")),
            ReadingIn(3, date(2025, 12, 15), D("491")),
            ReadingIn(4, date(2026, 10, 31), D("900")),
        ],
        estimation=METHODS,
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then 31 Oct 2025: 400 + 31 × 16/31 = 416 (1 a day from 15 Oct to 15 Nov);
    # 30 Nov 2025: 431 + 60 × 15/30 = 461 (2 a day from 15 Nov to 15 Dec);
    # use 461 − 416 = 45, estimate 900 + 45 = 945.000
    assert index_on(reg.readings, date(2025, 10, 31)) == D(416)
    assert index_on(reg.readings, date(2025, 11, 30)) == D(461)
    assert result.estimate is not None
    assert (result.estimate.method, result.estimate.value) == (
        "same_period_last_year",
        D("945"),
    )


def test_it_falls_back_without_readings_around_last_years_days():
    # given only the last two months: no reading a year back
    reg = RegisterIn(
        8,
        "G8",
        6,
        D(1),
        [
            ReadingIn(1, date(2026, 9, 30), D("790")),
            ReadingIn(2, date(2026, 10, 31), D("800")),
        ],
        estimation=METHODS,
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then the next method: average daily use, 10 / 31 × 30 = 9.677… → 809.677
    assert result.estimate is not None
    assert (result.estimate.method, result.estimate.value) == (
        "average_daily",
        D("809.677"),
    )
