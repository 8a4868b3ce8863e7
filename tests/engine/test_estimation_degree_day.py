"""Degree-day regression: heating use fitted on the register's past intervals and
the daily mean temperatures, run over the estimated days' actual weather."""

import gzip
import itertools
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption
from meterbill.engine.forecast import daily_means

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
METHODS = ("degree_day", "average_daily")


def days(first: date, last: date, mean_c: str) -> dict[date, Decimal]:
    count = (last - first).days + 1
    return {first + timedelta(days=i): D(mean_c) for i in range(count)}


def test_it_estimates_heating_from_the_weather_of_the_missing_days():
    # given a heat meter that uses 2 + 0.5 × (18 − T) a day (T the day's mean °C):
    #   1–10 Oct at 0 °C:   11 a day × 10 days = 110  → 1110 on 10 Oct
    #   11–20 Oct at 4 °C:   9 a day × 10 days =  90  → 1200 on 20 Oct
    #   21–31 Oct at −2 °C: 12 a day × 11 days = 132  → 1332 on 31 Oct
    temperatures = {
        **days(date(2026, 10, 1), date(2026, 10, 10), "0"),
        **days(date(2026, 10, 11), date(2026, 10, 20), "4"),
        **days(date(2026, 10, 21), date(2026, 10, 31), "-2"),
        # and November: 2 °C for 1–15, 6 °C for 16–30
        **days(date(2026, 11, 1), date(2026, 11, 15), "2"),
        **days(date(2026, 11, 16), date(2026, 11, 30), "6"),
    }
    reg = RegisterIn(
        9,
        "H9",
        8,
        D(1),
        [
            ReadingIn(1, date(2026, 9, 30), D("1000")),
            ReadingIn(2, date(2026, 10, 10), D("1110")),
            ReadingIn(3, date(2026, 10, 20), D("1200")),
            ReadingIn(4, date(2026, 10, 31), D("1332")),
        ],
        estimation=METHODS,
        temperatures=temperatures,
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then the fit finds the line exactly (every day is below the lowest balance
    # point tried, 8 °C, so the model reads 7 + 0.5 × (8 − T)); November is
    # 15 × (2 + 0.5 × 16) + 15 × (2 + 0.5 × 12) = 150 + 120 = 270 → 1602.000
    # (average daily use would have said 332 / 31 × 30 = 321.290)
    assert result.estimate is not None
    assert result.estimate.method == "degree_day"
    assert result.estimate.value == D("1602.000")
    assert result.quantity == D(270)
    assert "degree-day regression on 3 intervals" in result.estimate.basis
    assert "0.500/degree-day below 8 °C" in result.estimate.basis


def test_it_falls_back_without_the_missing_days_temperatures():
    # given the same history but no temperature for November
    temperatures = days(date(2026, 10, 1), date(2026, 10, 31), "0")
    reg = RegisterIn(
        9,
        "H9",
        8,
        D(1),
        [
            ReadingIn(1, date(2026, 9, 30), D("1000")),
            ReadingIn(2, date(2026, 10, 10), D("1110")),
            ReadingIn(3, date(2026, 10, 20), D("1200")),
            ReadingIn(4, date(2026, 10, 31), D("1332")),
        ],
        estimation=METHODS,
        temperatures=temperatures,
    )

    result = period_consumption(reg, NOV_1, NOV_30)

    # then average daily use: 332 / 31 × 30 = 321.290… → 1653.290
    assert result.estimate is not None
    assert (result.estimate.method, result.estimate.value) == (
        "average_daily",
        D("1653.290"),
    )


REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
BILLS = CORPUS / "forecast" / "il-electricity-cdd-hdd-billing_monthly.csv.gz"
TEMPS = CORPUS / "forecast" / "il-tempF.csv.gz"


def _rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.strip().split(",") for line in fh][1:]


@pytest.mark.corpus
@pytest.mark.skipif(not BILLS.exists(), reason="no forecast corpus")
def test_it_estimates_a_winter_month_of_the_corpus_meter_closer_than_average():
    # given the corpus meter (monthly bills, heating and cooling) as an index register
    # and its station's hourly temperatures as daily means in °C
    hourly = [
        (datetime.fromisoformat(at), D(value)) for at, value in _rows(TEMPS) if value
    ]
    celsius = {day: (f - 32) * 5 / 9 for day, f in daily_means(hourly).items()}
    bills = [(datetime.fromisoformat(s).date(), D(v)) for s, v in _rows(BILLS) if v]
    readings, index = [], D(0)
    for n, ((start, use), (next_start, _u)) in enumerate(itertools.pairwise(bills)):
        if n == 0:
            readings.append(ReadingIn(0, start - timedelta(days=1), index))
        index += use
        readings.append(ReadingIn(n + 1, next_start - timedelta(days=1), index))
    # the first January after a year of history is the month to estimate
    target = next(
        (i for i, r in enumerate(readings) if i > 12 and r.read_on.month == 1), None
    )
    assert target is not None
    opening, actual = readings[target - 1], readings[target]
    history = readings[:target]

    def estimate(methods: tuple[str, ...]) -> Decimal:
        reg = RegisterIn(
            1, "IL1", 8, D(1), history, estimation=methods, temperatures=celsius
        )
        starts = opening.read_on + timedelta(days=1)
        found = period_consumption(reg, starts, actual.read_on).estimate
        assert found is not None and found.method == methods[0]
        return found.value - opening.value

    real = actual.value - opening.value
    by_weather, by_average = estimate(("degree_day",)), estimate(("average_daily",))

    # then the degree-day estimate is within 15 % of the billed January and much
    # closer than the yearly average, which spreads summer into winter
    assert abs(by_weather - real) / real < D("0.15")
    assert abs(by_weather - real) < abs(by_average - real)
