from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.engine.forecast import (
    ForecastError,
    Usage,
    daily_means,
    fit,
    fitness,
    forecast,
)

D = Decimal
START = date(2025, 1, 1)


def _daily(temps_c, per_day):
    """A day's usage and temperature for each given temperature, from 1 Jan 2025."""
    days = [START + timedelta(days=i) for i in range(len(temps_c))]
    temperatures = {d: D(t) for d, t in zip(days, temps_c, strict=True)}
    usages = [Usage(d, d, per_day(t)) for d, t in zip(days, temps_c, strict=True)]
    return usages, temperatures


def test_it_finds_the_heating_balance_point_and_slope():
    # given usage = 2 + 0.5 × max(0, 15 − T) on days from −5 to 24 °C
    temps = list(range(-5, 25))
    usages, temperatures = _daily(temps, lambda t: 2 + D("0.5") * max(0, 15 - t))

    model = fit(usages, temperatures)

    assert model.heating_balance == 15.0
    assert model.cooling_balance is None
    assert model.heating_slope == pytest.approx(0.5)
    assert model.base_per_day == pytest.approx(2.0)


def test_it_finds_heating_and_cooling_together():
    # given usage = 1 + 0.2 × HDD(12) + 0.3 × CDD(20)
    temps = list(range(-5, 33))
    usages, temperatures = _daily(
        temps, lambda t: 1 + D("0.2") * max(0, 12 - t) + D("0.3") * max(0, t - 20)
    )

    model = fit(usages, temperatures)

    assert (model.heating_balance, model.cooling_balance) == (12.0, 20.0)
    assert model.cooling_slope == pytest.approx(0.3)


def test_it_keeps_a_flat_use_intercept_only():
    usages, temperatures = _daily(list(range(0, 20)), lambda t: D(3))

    model = fit(usages, temperatures)

    assert (model.parameters, model.heating_balance) == (1, None)
    assert model.base_per_day == pytest.approx(3.0)


def test_it_forecasts_normal_weather_from_the_same_calendar_days():
    # given two Januaries 2025 at 0 °C and 2026 at 10 °C (usage 1 + 1 × HDD(15)),
    # so a normal January day has (15 + 5) / 2 = 10 HDD, i.e. 11 per day
    days = [START + timedelta(days=i) for i in range(365 + 31)]
    temps = {d: D(0 if d.year == 2025 and d.month == 1 else 10) for d in days}
    for d in days:
        if d.year == 2025 and d.month > 1:
            temps[d] = D(5 + d.month)
    usages = [Usage(d, d, 1 + max(0, 15 - temps[d])) for d in days]

    result = forecast(usages, temps, date(2027, 1, 1), date(2027, 1, 31), D("0.001"))

    # then 31 × 11 = 341 m3
    assert result.quantity == D("341.000")


def test_it_rounds_the_forecast_half_up_to_the_billing_step():
    usages, temperatures = _daily([10] * 10, lambda t: D("0.3335"))

    result = forecast(
        usages, temperatures, date(2025, 1, 1), date(2025, 1, 1), D("0.001")
    )

    assert result.quantity == D("0.334")


def test_it_refuses_to_fit_without_enough_intervals():
    usages, temperatures = _daily([5, 6], lambda t: D(1))

    with pytest.raises(ForecastError, match="2 usable intervals"):
        fit(usages, temperatures)


def test_it_scores_by_ashrae_guideline_14():
    # given actual 10, 12, 14 and predicted 11, 11, 15 (mean 12, p = 1):
    # residuals −1, 1, −1 → CV(RMSE) = 100 × √(3 / 2) / 12 = 10.206 %,
    # NMBE = 100 × (−1) / (2 × 12) = −4.167 %

    score = fitness([10.0, 12.0, 14.0], [11.0, 11.0, 15.0])

    assert score.cv_rmse == pytest.approx(10.2062, abs=1e-4)
    assert score.nmbe == pytest.approx(-4.1667, abs=1e-4)


def test_it_averages_hourly_temperatures_per_local_day():
    hours = [(datetime(2025, 1, 1, h), D(h)) for h in range(24)]
    hours += [(datetime(2025, 1, 2, h), D(1)) for h in range(6)]

    means = daily_means(hours)

    assert means == {date(2025, 1, 1): D("11.5")}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-20, 35),
            st.decimals(0, 1000, places=3, allow_nan=False, allow_infinity=False),
        ),
        min_size=0,
        max_size=12,
    )
)
def test_it_only_ever_raises_forecast_errors(rows):
    usages, temperatures = _daily([t for t, _q in rows], lambda t: D(0))
    usages = [
        Usage(u.starts_on, u.ends_on, q)
        for u, (_t, q) in zip(usages, rows, strict=True)
    ]

    try:
        result = forecast(usages, temperatures, START, START, D("0.001"))
    except ForecastError:
        return

    assert result.quantity >= 0
