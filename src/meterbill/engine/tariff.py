"""Electricity tariffs with time-of-use energy and demand charges, and their rating.

The model follows the structure of the US OpenEI Utility Rate Database (URDB):
energy and demand rates grouped in periods, each period a list of tiers, and two
12 x 24 schedules (weekday, weekend) that name the period of every hour of every
month. Period numbers are 0-based, as in URDB.

``rate_intervals`` turns one year of hourly load into twelve monthly bills, with the
rules of NREL SAM's utility rate module (SSC ``utilityrate5``, as run by PySAM) for a
single year with no generation and no net-metering credits:

* Energy: the month's kWh are summed per energy period. Tier limits apply to the
  month's total kWh, not to each period's; the kWh of each tier are shared out over
  the periods in proportion to each period's kWh, and priced at that period's rate
  for the tier. SAM therefore requires every period used in a month to have the same
  tier limits, and so does this module.
* Demand (time-of-use): for each demand period used in the month, the highest hourly
  kW in that period's hours, priced through that period's tiers.
* Demand (flat): the month's highest hourly kW, priced through the tiers of the flat
  demand structure that ``flat_demand_months`` assigns to the month.
* Fixed charge: per month, or per day times the days in the month.
* Minimum: if energy + demand + fixed is below the monthly minimum, the difference is
  charged. If the year's sum of those bills (before monthly minimums) is below the
  annual minimum, the difference is added to December's minimum charge.

Nothing is rounded here: amounts are exact decimals (divisions at 40 significant
digits), as SAM keeps full precision. Round them for display or invoicing with
``rounded_figures`` or ``invoice_lines``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import Enum

from meterbill.engine.money import precision, round_money, split_largest_remainder

ZERO = Decimal(0)
HOURS_PER_DAY = 24
# A non-leap year, as SAM assumes: the load has 8760 hourly values.
DAYS_IN_MONTH = tuple(calendar.monthrange(2023, m)[1] for m in range(1, 13))
HOURS_PER_YEAR = sum(DAYS_IN_MONTH) * HOURS_PER_DAY
# Enough digits for a rate with 17 significant digits times a month's kWh, and for
# the proportional split of tier kWh over periods.
_PRECISION = 40

Schedule = tuple[tuple[int, ...], ...]
"""12 rows (January first) of 24 period numbers (hour 0 = midnight to 1 am)."""


class TariffError(ValueError):
    """A tariff whose parts do not fit together, or a load that cannot be rated."""


class UsageUnit(Enum):
    """What an energy tier's maximum counts."""

    KWH_PER_MONTH = "kWh"
    KWH_PER_DAY = "kWh daily"  # scaled by the days of the month, as SAM does


class ChargeUnit(Enum):
    """What a fixed or minimum charge is quoted per."""

    PER_MONTH = "$/month"
    PER_DAY = "$/day"  # times the days of the month


@dataclass(frozen=True)
class EnergyTier:
    """One block of an energy period. ``max_usage`` is the block's upper limit,
    counted from zero kWh (not the block's width); None means no limit."""

    rate: Decimal  # $/kWh
    max_usage: Decimal | None = None
    unit: UsageUnit = UsageUnit.KWH_PER_MONTH
    adjustment: Decimal = ZERO  # $/kWh added to the rate (riders, fuel adjustment)

    @property
    def price(self) -> Decimal:
        return self.rate + self.adjustment

    def limit_kwh(self, days: int) -> Decimal | None:
        """The tier's upper limit in kWh for a month of ``days`` days."""
        if self.max_usage is None or self.unit is UsageUnit.KWH_PER_MONTH:
            return self.max_usage
        return self.max_usage * days


@dataclass(frozen=True)
class DemandTier:
    """One block of a demand charge, in kW; ``max_kw`` None means no limit."""

    rate: Decimal  # $/kW
    max_kw: Decimal | None = None
    adjustment: Decimal = ZERO

    @property
    def price(self) -> Decimal:
        return self.rate + self.adjustment


@dataclass(frozen=True)
class Tariff:
    """A URDB-style electricity tariff; see the module docstring for the rules."""

    energy_periods: tuple[tuple[EnergyTier, ...], ...]
    energy_weekday: Schedule
    energy_weekend: Schedule
    demand_periods: tuple[tuple[DemandTier, ...], ...] = ()
    demand_weekday: Schedule | None = None
    demand_weekend: Schedule | None = None
    flat_demand_periods: tuple[tuple[DemandTier, ...], ...] = ()
    # The flat demand period of each month, January first; None: no flat demand.
    flat_demand_months: tuple[int, ...] | None = None
    fixed_charge: Decimal = ZERO
    fixed_charge_unit: ChargeUnit = ChargeUnit.PER_MONTH
    min_charge: Decimal = ZERO
    min_charge_unit: ChargeUnit = ChargeUnit.PER_MONTH
    annual_min_charge: Decimal = ZERO
    name: str = ""

    def __post_init__(self) -> None:
        _check_tariff(self)


@dataclass(frozen=True)
class Peak:
    """The highest hourly kW in a set of hours, and the first hour it occurred
    (0-based hour of the year); ``hour`` None when the month drew nothing."""

    kw: Decimal
    hour: int | None


@dataclass(frozen=True)
class MonthTrace:
    """How a month's bill came about, so that every figure can be explained."""

    month: int  # 1 = January
    days: int
    kwh_by_period: dict[int, Decimal]
    # (period, tier) -> kWh billed in that tier, and its charge
    kwh_by_period_tier: dict[tuple[int, int], Decimal]
    energy_by_period_tier: dict[tuple[int, int], Decimal]
    tier_limits_kwh: tuple[Decimal | None, ...]
    demand_peaks: dict[int, Peak]  # time-of-use demand period -> peak
    demand_tou_by_period: dict[int, Decimal]
    flat_peak: Peak
    flat_demand_period: int | None


@dataclass(frozen=True)
class MonthBill:
    """One month's charges, exact (unrounded). ``total`` includes every part."""

    month: int  # 1 = January
    energy: Decimal
    demand_tou: Decimal
    demand_flat: Decimal
    fixed: Decimal
    minimum: Decimal
    trace: MonthTrace = field(repr=False, compare=False)

    @property
    def total(self) -> Decimal:
        return (
            self.energy + self.demand_tou + self.demand_flat + self.fixed + self.minimum
        )

    def parts(self) -> dict[str, Decimal]:
        return {
            "energy": self.energy,
            "demand_tou": self.demand_tou,
            "demand_flat": self.demand_flat,
            "fixed": self.fixed,
            "minimum": self.minimum,
        }


def rate_intervals(
    tariff: Tariff,
    load_kw_hourly: Sequence[Decimal],
    year_start_weekday: int = 0,
) -> list[MonthBill]:
    """Rate one year of hourly load (kW, 8760 values from 1 January 00:00) under
    ``tariff``; ``year_start_weekday`` is the weekday of 1 January (0 = Monday).
    Saturday and Sunday follow the weekend schedules; there are no holidays."""
    if len(load_kw_hourly) != HOURS_PER_YEAR:
        raise TariffError(
            f"the load must have {HOURS_PER_YEAR} hourly values, "
            f"not {len(load_kw_hourly)}"
        )
    if not 0 <= year_start_weekday <= 6:
        raise TariffError("year_start_weekday must be 0 (Monday) to 6 (Sunday)")
    _check_load(load_kw_hourly, 0, HOURS_PER_YEAR // HOURS_PER_DAY)

    with localcontext() as ctx:
        ctx.prec = _PRECISION
        bills: list[MonthBill] = []
        first_day = 0
        for month_index, days in enumerate(DAYS_IN_MONTH):
            bills.append(
                _rate_days_of_month(
                    tariff,
                    month_index,
                    range(first_day, first_day + days),
                    year_start_weekday,
                    load_kw_hourly,
                )
            )
            first_day += days
        return _apply_annual_minimum(tariff, bills)


def rate_days(
    tariff: Tariff,
    load_kw_hourly: Sequence[Decimal],
    year_start_weekday: int,
    first_day: int,
    last_day: int,
) -> list[MonthBill]:
    """The bills of the months that days ``first_day`` to ``last_day`` (0-based
    days of the 365-day rating year, both included) touch, each rated on its days
    within them only: energy and peaks from those days' hours, the month's tier
    limits, demand, fixed and minimum charges scaled by those days over the month's
    days (as a block price's limits follow the months of a part). A month wholly inside
    gets ``rate_intervals``' bill of that month (without the annual minimum, which
    needs the whole year)."""
    if len(load_kw_hourly) != HOURS_PER_YEAR:
        raise TariffError(
            f"the load must have {HOURS_PER_YEAR} hourly values, "
            f"not {len(load_kw_hourly)}"
        )
    if not 0 <= first_day <= last_day < HOURS_PER_YEAR // HOURS_PER_DAY:
        raise TariffError(f"days {first_day} to {last_day} are not in the year")
    bills: list[MonthBill] = []
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        month_first = 0
        for month_index, days in enumerate(DAYS_IN_MONTH):
            start = max(first_day, month_first)
            stop = min(last_day + 1, month_first + days)
            if start < stop:
                _check_load(load_kw_hourly, start, stop)
                bills.append(
                    _rate_days_of_month(
                        tariff,
                        month_index,
                        range(start, stop),
                        year_start_weekday,
                        load_kw_hourly,
                    )
                )
            month_first += days
    return bills


def rounded_figures(bill: MonthBill, currency: str = "USD") -> dict[str, Decimal]:
    """Each figure of ``bill`` rounded on its own to the currency's precision.

    This is what a reference calculator's unrounded figures show once rounded: the
    rounded parts may differ from the rounded total by a cent or two."""
    figures = {
        name: round_money(value, currency) for name, value in bill.parts().items()
    }
    figures["total"] = round_money(bill.total, currency)
    return figures


def invoice_lines(bill: MonthBill, currency: str = "USD") -> dict[str, Decimal]:
    """The parts of ``bill`` as invoice lines that add up to the rounded total.

    The rounded total is split over the parts in proportion to their exact amounts
    with the largest-remainder method, so each line is within a cent of its exact
    amount. Parts must not be negative (true for a bill without generation)."""
    total = round_money(bill.total, currency)
    return split_largest_remainder(total, bill.parts(), precision(currency))


def annual_total(bills: Sequence[MonthBill]) -> Decimal:
    """The exact sum of the year's bills."""
    return sum((bill.total for bill in bills), ZERO)


def _check_load(load: Sequence[Decimal], first_day: int, stop_day: int) -> None:
    """Generation and net metering are not modelled: every hour draws from the
    grid, so a negative (or not finite) hour is refused."""
    for hour in range(first_day * HOURS_PER_DAY, stop_day * HOURS_PER_DAY):
        kw = load[hour]
        if not kw.is_finite() or kw < 0:
            raise TariffError(f"hour {hour}: load {kw} kW is negative or not finite")


def _rate_days_of_month(
    tariff: Tariff,
    month_index: int,
    days: range,
    year_start_weekday: int,
    load: Sequence[Decimal],
) -> MonthBill:
    """The bill of the days ``days`` (0-based days of the year) of one month."""
    hours = range(days.start * HOURS_PER_DAY, days.stop * HOURS_PER_DAY)
    weekend = [(year_start_weekday + h // HOURS_PER_DAY) % 7 >= 5 for h in hours]
    month_days = DAYS_IN_MONTH[month_index]
    share = None if len(days) == month_days else Decimal(len(days)) / month_days
    return _rate_month(tariff, month_index, month_days, hours, weekend, load, share)


def _rate_month(
    tariff: Tariff,
    month_index: int,
    days: int,
    hours: range,
    weekend: list[bool],
    load: Sequence[Decimal],
    share: Decimal | None = None,
) -> MonthBill:
    """One month's bill from its ``hours``; ``share``: the part of the month's
    days they are, which scales the tier limits, the demand, fixed and minimum
    charges (None: the whole month, SAM's bill)."""
    energy_sched = [
        (tariff.energy_weekend if is_weekend else tariff.energy_weekday)[month_index][
            h % 24
        ]
        for h, is_weekend in zip(hours, weekend, strict=True)
    ]
    kwh_by_period: dict[int, Decimal] = {}
    flat_peak = Peak(ZERO, None)
    for h, period in zip(hours, energy_sched, strict=True):
        kw = load[h]
        # An hour at constant kW uses kW x 1 h of energy.
        kwh_by_period[period] = kwh_by_period.get(period, ZERO) + kw
        if kw > flat_peak.kw:
            flat_peak = Peak(kw, h)

    kwh_by_period = dict(sorted(kwh_by_period.items()))
    energy, kwh_pt, charge_pt, limits = _energy_charge(
        tariff, days, kwh_by_period, share
    )
    demand_peaks = _demand_peaks(tariff, month_index, hours, weekend, load)
    # A part of a month is charged its days' share of the month's demand charge.
    demand_tou_by_period = {
        p: _tiered_demand_charge(tariff.demand_periods[p], peak.kw) * (share or 1)
        for p, peak in demand_peaks.items()
    }
    flat_period = (
        tariff.flat_demand_months[month_index] if tariff.flat_demand_months else None
    )
    demand_flat = (
        ZERO
        if flat_period is None
        else _tiered_demand_charge(
            tariff.flat_demand_periods[flat_period], flat_peak.kw
        )
        * (share or 1)
    )
    demand_tou = sum(demand_tou_by_period.values(), ZERO)
    fixed = _per_month(tariff.fixed_charge, tariff.fixed_charge_unit, days, share)

    # SAM compares the bill including the fixed charge with the minimum.
    bill_before_min = energy + demand_tou + demand_flat + fixed
    min_charge = _per_month(tariff.min_charge, tariff.min_charge_unit, days, share)
    minimum = max(ZERO, min_charge - bill_before_min)

    trace = MonthTrace(
        month=month_index + 1,
        days=len(hours) // HOURS_PER_DAY,
        kwh_by_period=kwh_by_period,
        kwh_by_period_tier=kwh_pt,
        energy_by_period_tier=charge_pt,
        tier_limits_kwh=limits,
        demand_peaks=demand_peaks,
        demand_tou_by_period=demand_tou_by_period,
        flat_peak=flat_peak,
        flat_demand_period=flat_period,
    )
    return MonthBill(
        month=month_index + 1,
        energy=energy,
        demand_tou=demand_tou,
        demand_flat=demand_flat,
        fixed=fixed,
        minimum=minimum,
        trace=trace,
    )


def _energy_charge(
    tariff: Tariff,
    days: int,
    kwh_by_period: dict[int, Decimal],
    share: Decimal | None = None,
) -> tuple[
    Decimal,
    dict[tuple[int, int], Decimal],
    dict[tuple[int, int], Decimal],
    tuple[Decimal | None, ...],
]:
    """SAM's tiered TOU energy charge: tiers on the month's total kWh, each tier's
    kWh shared out over the periods in proportion to their kWh."""
    periods = sorted(kwh_by_period)
    limits = tuple(
        _scaled(tier.limit_kwh(days), share)
        for tier in tariff.energy_periods[periods[0]]
    )
    total_kwh = sum(kwh_by_period.values(), ZERO)
    kwh_pt: dict[tuple[int, int], Decimal] = {}
    charge_pt: dict[tuple[int, int], Decimal] = {}
    charge = ZERO
    lower = ZERO
    for tier_index, limit in enumerate(limits):
        if total_kwh <= lower:
            break
        tier_kwh = (total_kwh if limit is None else min(total_kwh, limit)) - lower
        for period in periods:
            share = tier_kwh * kwh_by_period[period] / total_kwh
            tier = tariff.energy_periods[period][tier_index]
            kwh_pt[(period, tier_index)] = share
            charge_pt[(period, tier_index)] = share * tier.price
            charge += share * tier.price
        if limit is None:
            break
        lower = limit
    return charge, kwh_pt, charge_pt, limits


def _demand_peaks(
    tariff: Tariff,
    month_index: int,
    hours: range,
    weekend: list[bool],
    load: Sequence[Decimal],
) -> dict[int, Peak]:
    if tariff.demand_weekday is None or tariff.demand_weekend is None:
        return {}
    peaks: dict[int, Peak] = {}
    for h, is_weekend in zip(hours, weekend, strict=True):
        sched = tariff.demand_weekend if is_weekend else tariff.demand_weekday
        period = sched[month_index][h % 24]
        best = peaks.get(period)
        # The first hour wins a tie, as in SAM (strictly greater replaces).
        if best is None or load[h] > best.kw:
            peaks[period] = Peak(load[h], h) if load[h] > 0 else Peak(ZERO, None)
    return dict(sorted(peaks.items()))


def _tiered_demand_charge(tiers: Sequence[DemandTier], peak_kw: Decimal) -> Decimal:
    """Each block of kW priced at its own rate; kW above a last finite limit are
    not charged (as in SAM)."""
    charge = ZERO
    lower = ZERO
    for tier in tiers:
        if tier.max_kw is None or peak_kw < tier.max_kw:
            return charge + (peak_kw - lower) * tier.price
        charge += (tier.max_kw - lower) * tier.price
        lower = tier.max_kw
    return charge


def _per_month(
    amount: Decimal, unit: ChargeUnit, days: int, share: Decimal | None = None
) -> Decimal:
    monthly = amount * days if unit is ChargeUnit.PER_DAY else amount
    return monthly if share is None else monthly * share


def _scaled(value: Decimal | None, share: Decimal | None) -> Decimal | None:
    return value if value is None or share is None else value * share


def _apply_annual_minimum(tariff: Tariff, bills: list[MonthBill]) -> list[MonthBill]:
    """SAM adds any shortfall of the year's bills (before monthly minimums) below the
    annual minimum to December's minimum charge."""
    if tariff.annual_min_charge <= 0:
        return bills
    year_before_min = sum((b.total - b.minimum for b in bills), ZERO)
    shortfall = tariff.annual_min_charge - year_before_min
    if shortfall <= 0:
        return bills
    december = bills[-1]
    bills[-1] = MonthBill(
        month=december.month,
        energy=december.energy,
        demand_tou=december.demand_tou,
        demand_flat=december.demand_flat,
        fixed=december.fixed,
        minimum=december.minimum + shortfall,
        trace=december.trace,
    )
    return bills


def _check_tariff(tariff: Tariff) -> None:
    """The consistency rules SAM enforces before it rates anything."""
    _check_schedule("energy_weekday", tariff.energy_weekday, len(tariff.energy_periods))
    _check_schedule("energy_weekend", tariff.energy_weekend, len(tariff.energy_periods))
    for period, tiers in enumerate(tariff.energy_periods):
        if not tiers:
            raise TariffError(f"energy period {period} has no tiers")
        _check_increasing(f"energy period {period}", [t.max_usage for t in tiers])
    for month_index, days in enumerate(DAYS_IN_MONTH):
        used = set(tariff.energy_weekday[month_index]) | set(
            tariff.energy_weekend[month_index]
        )
        limits = {
            tuple(t.limit_kwh(days) for t in tariff.energy_periods[p]) for p in used
        }
        if len(limits) > 1:
            raise TariffError(
                f"month {month_index + 1}: the energy periods {sorted(used)} have "
                "different tier limits; tiers of all periods of a month must match"
            )

    if (tariff.demand_weekday is None) != (tariff.demand_weekend is None):
        raise TariffError("demand schedules: give both weekday and weekend, or neither")
    if tariff.demand_weekday is not None and tariff.demand_weekend is not None:
        count = len(tariff.demand_periods)
        _check_schedule("demand_weekday", tariff.demand_weekday, count)
        _check_schedule("demand_weekend", tariff.demand_weekend, count)
    for period, dtiers in enumerate(tariff.demand_periods):
        _check_increasing(f"demand period {period}", [t.max_kw for t in dtiers])
    for period, dtiers in enumerate(tariff.flat_demand_periods):
        _check_increasing(f"flat demand period {period}", [t.max_kw for t in dtiers])

    if tariff.flat_demand_months is not None:
        if len(tariff.flat_demand_months) != 12:
            raise TariffError("flat_demand_months must have 12 entries")
        for month_index, period in enumerate(tariff.flat_demand_months):
            if not 0 <= period < len(tariff.flat_demand_periods):
                raise TariffError(
                    f"flat_demand_months[{month_index}] names flat demand period "
                    f"{period}, which is not defined"
                )


def _check_schedule(name: str, schedule: Schedule, period_count: int) -> None:
    if len(schedule) != 12 or any(len(row) != 24 for row in schedule):
        raise TariffError(f"{name} must be 12 rows of 24 periods")
    for month_index, row in enumerate(schedule):
        for hour, period in enumerate(row):
            if not 0 <= period < period_count:
                raise TariffError(
                    f"{name}[{month_index}][{hour}] names period {period}, "
                    f"but only {period_count} are defined"
                )


def _check_increasing(name: str, limits: Sequence[Decimal | None]) -> None:
    lower = ZERO
    for index, limit in enumerate(limits):
        if limit is None:
            if index != len(limits) - 1:
                raise TariffError(f"{name}: only the last tier may be unlimited")
            return
        if limit <= lower:
            raise TariffError(f"{name}: tier limits must increase and be positive")
        lower = limit
