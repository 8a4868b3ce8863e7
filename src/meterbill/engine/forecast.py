"""Weather-normalised consumption forecasts: a degree-day regression and its error.

The model is the one of ASHRAE Guideline 14-2014 (change-point models, annex D) and of
the CalTRACK daily and billing methods: usage per day is

    q/day = base + b_h × HDD/day + b_c × CDD/day

with HDD = max(0, T_h − T) and CDD = max(0, T − T_c) from the daily mean temperature T
and balance points T_h ≤ T_c chosen by grid search. Every usage observation is an
interval of whole days (a day, or a billing period between two readings); intervals
are fitted on their mean per day, weighted by their days (weighted least squares).
Candidates are intercept-only, heating-only, cooling-only and heating + cooling; a
candidate with a negative slope is dropped, and the one with the best adjusted R² wins
(ties go to fewer parameters).

Fitting is done in binary floating point: it is statistics, never money. A forecast
quantity goes back to ``Decimal`` once (from 12 significant digits), rounded
half-up with ``money.round_to`` to the step the caller bills in. Temperatures are in
whatever unit the balance-point grid is in.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from .money import round_to

# Days of an interval that need a temperature for the interval to be fitted
# (CalTRACK: 90 % data sufficiency).
MIN_TEMPERATURE_COVERAGE = 0.9
# Hourly values a day needs before its mean temperature counts (half the day).
MIN_HOURS_PER_DAY = 12

CELSIUS_GRID = tuple(float(t) for t in range(8, 25))
FAHRENHEIT_GRID = tuple(float(t) for t in range(45, 81))


class ForecastError(ValueError):
    """The history cannot support a forecast (too little data, no temperatures)."""


@dataclass(frozen=True)
class Usage:
    """Consumption over ``starts_on``..``ends_on`` inclusive."""

    starts_on: date
    ends_on: date
    quantity: Decimal

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Model:
    """A fitted degree-day model; a slope of 0 means the term is not in the model."""

    base_per_day: float
    heating_slope: float
    cooling_slope: float
    heating_balance: float | None
    cooling_balance: float | None
    parameters: int
    adjusted_r2: float
    observations: int

    def per_day(self, temperature: float) -> float:
        return (
            self.base_per_day
            + self.heating_slope * _hdd(temperature, self.heating_balance)
            + self.cooling_slope * _cdd(temperature, self.cooling_balance)
        )

    def trace(self) -> dict[str, object]:
        return {
            "model": "q/day = base + b_h × HDD + b_c × CDD (ASHRAE GL14 change-point)",
            "base_per_day": f"{self.base_per_day:.6g}",
            "heating_slope": f"{self.heating_slope:.6g}",
            "cooling_slope": f"{self.cooling_slope:.6g}",
            "heating_balance": self.heating_balance,
            "cooling_balance": self.cooling_balance,
            "adjusted_r2": f"{self.adjusted_r2:.4f}",
            "observations": self.observations,
        }


@dataclass(frozen=True)
class Forecast:
    quantity: Decimal  # rounded to the caller's step, never negative
    starts_on: date
    ends_on: date
    model: Model
    trace: dict[str, object] = field(default_factory=dict)


def _hdd(t: float, balance: float | None) -> float:
    return max(0.0, balance - t) if balance is not None else 0.0


def _cdd(t: float, balance: float | None) -> float:
    return max(0.0, t - balance) if balance is not None else 0.0


def daily_means(hourly: Iterable[tuple[datetime, Decimal]]) -> dict[date, Decimal]:
    """Daily mean temperature from hourly values, by the timestamp's own (local)
    date; days with fewer than ``MIN_HOURS_PER_DAY`` values are left out."""
    sums: dict[date, Decimal] = defaultdict(Decimal)
    counts: dict[date, int] = defaultdict(int)
    for at, value in hourly:
        sums[at.date()] += value
        counts[at.date()] += 1
    return {
        day: sums[day] / counts[day]
        for day in sorted(sums)
        if counts[day] >= MIN_HOURS_PER_DAY
    }


@dataclass
class _Row:
    weight: float  # days
    per_day: float
    temps: list[float]  # daily means of the days that have one


def _rows(usages: Sequence[Usage], temps: Mapping[date, float]) -> list[_Row]:
    rows = []
    for u in usages:
        if u.days < 1:
            continue
        days = [u.starts_on + timedelta(days=i) for i in range(u.days)]
        known = [temps[d] for d in days if d in temps]
        if len(known) < MIN_TEMPERATURE_COVERAGE * len(days):
            continue
        rows.append(_Row(float(u.days), float(u.quantity) / u.days, known))
    return rows


def _solve(a: list[list[float]], b: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None if singular."""
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _wls(rows: list[_Row], x: list[list[float]]) -> tuple[list[float], float] | None:
    """Weighted least squares: coefficients and the weighted residual sum."""
    k = len(x[0])
    xtx = [[0.0] * k for _ in range(k)]
    xty = [0.0] * k
    for row, xi in zip(rows, x, strict=True):
        for i in range(k):
            xty[i] += row.weight * xi[i] * row.per_day
            for j in range(k):
                xtx[i][j] += row.weight * xi[i] * xi[j]
    coef = _solve(xtx, xty)
    if coef is None:
        return None
    sse = sum(
        row.weight
        * (row.per_day - sum(c * v for c, v in zip(coef, xi, strict=True))) ** 2
        for row, xi in zip(rows, x, strict=True)
    )
    return coef, sse


def _mean_dd(row: _Row, heating: float | None, cooling: float | None) -> list[float]:
    n = len(row.temps)
    out = [1.0]
    if heating is not None:
        out.append(sum(_hdd(t, heating) for t in row.temps) / n)
    if cooling is not None:
        out.append(sum(_cdd(t, cooling) for t in row.temps) / n)
    return out


def fit(
    usages: Sequence[Usage],
    temperatures: Mapping[date, Decimal],
    balance_points: Sequence[float] = CELSIUS_GRID,
) -> Model:
    """The best degree-day model for the history (see the module docstring)."""
    temps = {d: float(t) for d, t in temperatures.items()}
    rows = _rows(usages, temps)
    if len(rows) < 3:
        raise ForecastError(
            f"{len(rows)} usable intervals with temperatures; a fit needs at least 3"
        )
    total_w = sum(r.weight for r in rows)
    mean = sum(r.weight * r.per_day for r in rows) / total_w
    sst = sum(r.weight * (r.per_day - mean) ** 2 for r in rows)
    n = len(rows)

    candidates: list[tuple[float | None, float | None]] = [(None, None)]
    candidates += [(h, None) for h in balance_points]
    candidates += [(None, c) for c in balance_points]
    candidates += [(h, c) for h in balance_points for c in balance_points if h <= c]
    best: Model | None = None
    for heating, cooling in candidates:
        p = 1 + (heating is not None) + (cooling is not None)
        if n <= p:
            continue
        solved = _wls(rows, [_mean_dd(r, heating, cooling) for r in rows])
        if solved is None:
            continue
        coef, sse = solved
        slopes = coef[1:]
        if any(s < 0 for s in slopes):
            continue
        adj = 1.0 - (sse / (n - p)) / (sst / (n - 1)) if sst > 0 else 1.0
        heating_slope = coef[1] if heating is not None else 0.0
        cooling_slope = coef[-1] if cooling is not None else 0.0
        model = Model(
            coef[0], heating_slope, cooling_slope, heating, cooling, p, adj, n
        )
        if (
            best is None
            or adj > best.adjusted_r2 + 1e-9
            or (abs(adj - best.adjusted_r2) <= 1e-9 and p < best.parameters)
        ):
            best = model
    assert best is not None  # the intercept-only candidate always solves
    return best


def normal_per_day(
    model: Model, temperatures: Mapping[date, Decimal], day: date
) -> float:
    """Usage on ``day`` under normal weather: the model's usage averaged over the
    same calendar day of every year of the history (29 February falls back to the
    28th when no leap year is in the history)."""
    same = [
        float(t)
        for d, t in temperatures.items()
        if (d.month, d.day) == (day.month, day.day)
    ]
    if not same and (day.month, day.day) == (2, 29):
        return normal_per_day(model, temperatures, day - timedelta(days=1))
    if not same:
        raise ForecastError(f"no temperature history for {day:%d %B}")
    return sum(model.per_day(t) for t in same) / len(same)


def forecast(
    usages: Sequence[Usage],
    temperatures: Mapping[date, Decimal],
    starts_on: date,
    ends_on: date,
    step: Decimal,
    balance_points: Sequence[float] = CELSIUS_GRID,
) -> Forecast:
    """Consumption over ``starts_on``..``ends_on`` under normal weather, rounded
    half-up to ``step`` (e.g. Decimal('0.001') m3); never below zero."""
    model = fit(usages, temperatures, balance_points)
    total = 0.0
    day = starts_on
    while day <= ends_on:
        total += normal_per_day(model, temperatures, day)
        day += timedelta(days=1)
    # Twelve significant digits drop the float's arithmetic noise (0.33349999999…
    # is 0.3335 again) and keep far more than the fit can mean; then one rounding.
    quantity = round_to(Decimal(f"{max(total, 0.0):.12g}"), step)
    return Forecast(
        quantity,
        starts_on,
        ends_on,
        model,
        {
            **model.trace(),
            "normal_weather": "model usage averaged over the same calendar days "
            "of the temperature history",
            "forecast_days": (ends_on - starts_on).days + 1,
            "quantity": str(quantity),
        },
    )


@dataclass(frozen=True)
class Fitness:
    """ASHRAE Guideline 14-2014 goodness of fit, in percent."""

    cv_rmse: float
    nmbe: float
    n: int


def fitness(
    actual: Sequence[float], predicted: Sequence[float], parameters: int = 1
) -> Fitness:
    """CV(RMSE) = 100 × √(Σ(y − ŷ)² / (n − p)) / ȳ and
    NMBE = 100 × Σ(y − ŷ) / ((n − p) × ȳ), as ASHRAE Guideline 14-2014 (5.2.2.3,
    and annex B) defines them; p = 1 is what it uses for calibration checks."""
    n = len(actual)
    if n != len(predicted) or n <= parameters:
        raise ForecastError(f"{n} values cannot be scored with {parameters} parameters")
    mean = sum(actual) / n
    if mean == 0:
        raise ForecastError("mean consumption is zero: CV(RMSE) is undefined")
    residuals = [y - f for y, f in zip(actual, predicted, strict=True)]
    cv = 100 * math.sqrt(sum(r * r for r in residuals) / (n - parameters)) / mean
    nmbe = 100 * sum(residuals) / ((n - parameters) * mean)
    return Fitness(cv, nmbe, n)


def predict_interval(
    model: Model, temperatures: Mapping[date, Decimal], usage: Usage
) -> float | None:
    """The model's usage over an interval under its actual weather; None when
    temperatures cover too few of its days."""
    days = [usage.starts_on + timedelta(days=i) for i in range(usage.days)]
    known = [float(temperatures[d]) for d in days if d in temperatures]
    if not known or len(known) < MIN_TEMPERATURE_COVERAGE * len(days):
        return None
    return sum(model.per_day(t) for t in known) / len(known) * len(days)
