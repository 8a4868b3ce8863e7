"""Estimating a register's missing closing index, by the methods a branch prefers.

A branch sets, per utility, which methods it uses and in which order
(``metering.EstimationSetting``); the first method that can estimate wins, and the
estimate names its method and the data it rests on (``basis``), which the bill run
stores on the estimated reading and shows in the line's trace.

Methods (all on index registers; ``opening`` is the last usable index the period
opens from, ``ends_on`` the day the estimate is for):

- ``interpolation``: a later actual index exists (read after ``ends_on``): the
  straight line between the opening and that index, at ``ends_on``. Both readings
  must be actual (not estimates) and the later not below the opening.
- ``same_period_last_year``: the use between the same two calendar days a year
  earlier (each day's index interpolated between the readings around it, a reading
  of that day taken as it is), added to the opening.
- ``degree_day``: heating. A degree-day regression (``engine.forecast.fit``,
  Celsius balance points) fitted on the intervals between the register's past
  readings and the branch's daily mean temperatures, then run over the days from
  the opening to ``ends_on`` with their actual temperatures.
- ``average_daily``: the average daily use over the history (at most a year before
  the opening) × the days since the opening.

``building_average_m2`` is the apartment-level method (``building_average_per_m2``):
the measured use per m² of the other apartments of the building × the apartment's
area. A register cannot compute it alone, so :func:`estimate_closing` skips it; the
bill run applies it once the building's meters are known (``engine.billing_estimates``)
when it comes before the register method that estimated, or when none could. It
gives a quantity; :func:`closing_from_quantity` turns it into a closing index when the
register has an opening index.

Index estimates keep the register's resolution: 3 decimals, rounded half-up once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from .forecast import CELSIUS_GRID, ForecastError, Usage, fit, predict_interval
from .money import round_to
from .rules import index_history

if TYPE_CHECKING:
    from .consumption import ReadingIn

INDEX_STEP = Decimal("0.001")
# Methods a register estimates from its own readings (in ESTIMATORS below).
REGISTER_METHODS = (
    "interpolation",
    "same_period_last_year",
    "degree_day",
    "average_daily",
)
# Methods that need the other apartments of the building: the bill run applies them.
BUILDING_AVERAGE = "building_average_m2"
METHODS = (*REGISTER_METHODS, BUILDING_AVERAGE)
# Without a branch setting: what the bill run always did.
DEFAULT_METHODS = ("average_daily",)
# How far back the history of the regression and of last year's period reaches.
HISTORY_WINDOW_DAYS = 366


@dataclass(frozen=True)
class Estimate:
    """An estimated index of a register on ``read_on``."""

    read_on: date
    value: Decimal
    method: str
    basis: str


@dataclass(frozen=True)
class QuantityEstimate:
    """An estimated consumption (not an index), for apartment-level methods."""

    quantity: Decimal
    method: str
    basis: str


Estimator = Callable[
    ["Sequence[ReadingIn]", "ReadingIn", date, "Mapping[date, Decimal] | None"],
    "Estimate | None",
]


def method_errors(methods: Sequence[str]) -> list[str]:
    """One message per unknown or repeated method code; empty when all is well."""
    errors = [f"unknown estimation method {m!r}" for m in methods if m not in METHODS]
    seen: set[str] = set()
    for m in methods:
        if m in seen:
            errors.append(f"estimation method {m!r} is listed twice")
        seen.add(m)
    return errors


def estimate_closing(
    readings: Sequence[ReadingIn],
    opening: ReadingIn,
    ends_on: date,
    methods: Sequence[str] = DEFAULT_METHODS,
    temperatures: Mapping[date, Decimal] | None = None,
) -> Estimate | None:
    """The closing index on ``ends_on`` by the first of ``methods`` that can
    estimate it; None when none can. ``readings`` are the register's usable index
    readings, sorted by day, including any after ``ends_on``. Methods that need the
    building (``building_average_m2``) are skipped here."""
    for method in methods:
        if method not in ESTIMATORS:
            continue
        found = ESTIMATORS[method](readings, opening, ends_on, temperatures)
        if found is not None:
            return found
    return None


def _index(value: Decimal) -> Decimal:
    return round_to(value, INDEX_STEP)


def interpolation(
    readings: Sequence[ReadingIn],
    opening: ReadingIn,
    ends_on: date,
    temperatures: Mapping[date, Decimal] | None = None,
) -> Estimate | None:
    if opening.status == "estimated":
        return None
    later = next(
        (r for r in readings if r.read_on > ends_on and r.status != "estimated"), None
    )
    if later is None or later.value < opening.value:
        return None
    span = (later.read_on - opening.read_on).days
    elapsed = (ends_on - opening.read_on).days
    value = opening.value + (later.value - opening.value) * elapsed / span
    basis = (
        f"interpolated between {opening.read_on} ({_index(opening.value)}) and "
        f"{later.read_on} ({_index(later.value)})"
    )
    return Estimate(ends_on, _index(value), "interpolation", basis)


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def index_on(readings: Sequence[ReadingIn], day: date) -> Decimal | None:
    """The index on ``day``: a reading of that day, or the straight line between
    the readings around it; None without a reading on each side or across a
    decrease."""
    before = [r for r in readings if r.read_on <= day]
    after = [r for r in readings if r.read_on >= day]
    if not before or not after:
        return None
    low, high = before[-1], after[0]
    if low.read_on == day:
        return low.value
    if high.value < low.value:
        return None
    share = Decimal((day - low.read_on).days) / (high.read_on - low.read_on).days
    return low.value + (high.value - low.value) * share


def same_period_last_year(
    readings: Sequence[ReadingIn],
    opening: ReadingIn,
    ends_on: date,
    temperatures: Mapping[date, Decimal] | None = None,
) -> Estimate | None:
    history = [r for r in readings if r.read_on <= opening.read_on]
    first_day = _a_year_before(opening.read_on)
    last_day = _a_year_before(ends_on)
    start, end = index_on(history, first_day), index_on(history, last_day)
    if start is None or end is None or end < start:
        return None
    use = end - start
    basis = f"same period last year {first_day}–{last_day}: {_index(use)}"
    return Estimate(
        ends_on, _index(opening.value + use), "same_period_last_year", basis
    )


def degree_day(
    readings: Sequence[ReadingIn],
    opening: ReadingIn,
    ends_on: date,
    temperatures: Mapping[date, Decimal] | None = None,
) -> Estimate | None:
    if not temperatures:
        return None
    since = opening.read_on - timedelta(days=HISTORY_WINDOW_DAYS)
    history = [r for r in readings if since <= r.read_on <= opening.read_on]
    # An index read on day D closes D: the interval to the next reading starts the
    # day after.
    usages = [
        Usage(a.read_on + timedelta(days=1), b.read_on, b.value - a.value)
        for a, b in pairwise(history)
        if b.read_on > a.read_on and b.value >= a.value
    ]
    try:
        model = fit(usages, temperatures, CELSIUS_GRID)
    except ForecastError:
        return None
    if model.heating_slope <= 0:
        return None  # no heating signal: the method does not apply
    ahead = Usage(opening.read_on + timedelta(days=1), ends_on, Decimal(0))
    predicted = predict_interval(model, temperatures, ahead)
    if predicted is None:
        return None
    # Statistics in floats; back to Decimal once from 12 significant digits.
    use = Decimal(f"{max(predicted, 0.0):.12g}")
    basis = (
        f"degree-day regression on {model.observations} intervals: "
        f"{model.base_per_day:.3f}/day + {model.heating_slope:.3f}/degree-day "
        f"below {model.heating_balance:g} °C"
    )
    return Estimate(ends_on, _index(opening.value + use), "degree_day", basis)


def average_daily(
    readings: Sequence[ReadingIn],
    opening: ReadingIn,
    ends_on: date,
    temperatures: Mapping[date, Decimal] | None = None,
) -> Estimate | None:
    history = index_history(readings, opening.read_on, HISTORY_WINDOW_DAYS)
    if history is None:
        return None
    days = (ends_on - opening.read_on).days
    value = _index(opening.value + history.per_day * days)
    return Estimate(ends_on, value, "average_daily", history.basis)


ESTIMATORS: dict[str, Estimator] = {
    "interpolation": interpolation,
    "same_period_last_year": same_period_last_year,
    "degree_day": degree_day,
    "average_daily": average_daily,
}


def building_average_per_m2(
    measured: Sequence[tuple[Decimal, Decimal]],
    area_m2: Decimal,
    step: Decimal = INDEX_STEP,
) -> QuantityEstimate | None:
    """An apartment's consumption from its building: the measured consumption of
    the other apartments (``measured``: (quantity, area in m²) pairs, estimates
    left out by the caller) per m², × ``area_m2``, rounded half-up to ``step``.
    None when nothing was measured or the measured apartments have no area."""
    total_area = sum((area for _q, area in measured), Decimal(0))
    if not measured or total_area <= 0 or area_m2 <= 0:
        return None
    total = sum((q for q, _area in measured), Decimal(0))
    quantity = round_to(total / total_area * area_m2, step)
    basis = (
        f"building average {_index(total / total_area)} per m² over "
        f"{len(measured)} apartments ({total} / {total_area} m²) × {area_m2} m²"
    )
    return QuantityEstimate(quantity, "building_average_m2", basis)


def comes_first(methods: Sequence[str], method: str, other: str | None) -> bool:
    """Whether ``method`` is listed before ``other`` (None: no method estimated) in
    the branch's order of preference; False when ``method`` is not listed."""
    if method not in methods:
        return False
    return (
        other is None
        or other not in methods
        or (methods.index(method) < methods.index(other))
    )


def closing_from_quantity(
    opening: ReadingIn, quantity: QuantityEstimate, multiplier: Decimal, read_on: date
) -> Estimate:
    """An apartment-level estimate as the register's closing index on ``read_on``:
    the opening index + the quantity / the meter's multiplier, to 3 decimals."""
    value = _index(opening.value + quantity.quantity / multiplier)
    return Estimate(read_on, value, quantity.method, quantity.basis)
