"""Demand charges on the month's peak kW: per time-of-use period, and flat."""

from decimal import Decimal

from meterbill.engine.tariff import DemandTier, EnergyTier, Tariff, rate_intervals

OFF_PEAK, PEAK = 0, 1
DEMAND_WEEKDAY = tuple(
    tuple(PEAK if 17 <= h < 21 else OFF_PEAK for h in range(24)) for _ in range(12)
)
ALL_OFF_PEAK = tuple(tuple(OFF_PEAK for _ in range(24)) for _ in range(12))
FREE_ENERGY = ((EnergyTier(Decimal(0)),),)


def three_day_load() -> list[Decimal]:
    """1 kW for 72 hours from Monday 1 January; 3 kW at 03:00 on day 1 (hour 3),
    4 kW at 18:00 on day 2 (hour 42), and 4 kW again at 19:00 on day 3 (hour 67)."""
    load = [Decimal(1)] * 72 + [Decimal(0)] * (8760 - 72)
    load[3] = Decimal(3)
    load[42] = Decimal(4)
    load[67] = Decimal(4)
    return load


def test_it_prices_each_periods_own_peak():
    # given peak kW at $10 and off-peak kW at $2
    tariff = Tariff(
        energy_periods=FREE_ENERGY,
        energy_weekday=ALL_OFF_PEAK,
        energy_weekend=ALL_OFF_PEAK,
        demand_periods=((DemandTier(Decimal(2)),), (DemandTier(Decimal(10)),)),
        demand_weekday=DEMAND_WEEKDAY,
        demand_weekend=ALL_OFF_PEAK,
    )

    # when
    january = rate_intervals(tariff, three_day_load())[0]

    # then peak 4 kW x $10 + off-peak 3 kW x $2 = 46; the first 4 kW hour is traced
    assert january.demand_tou == Decimal(46)
    assert january.trace.demand_peaks[PEAK].kw == Decimal(4)
    assert january.trace.demand_peaks[PEAK].hour == 42
    assert january.trace.demand_peaks[OFF_PEAK].hour == 3
    assert january.demand_flat == 0


def test_it_prices_the_flat_peak_through_tiers_by_month():
    # given flat demand: January on structure 0 (first 2 kW at $10, then $6),
    # other months on structure 1 ($1 per kW)
    tariff = Tariff(
        energy_periods=FREE_ENERGY,
        energy_weekday=ALL_OFF_PEAK,
        energy_weekend=ALL_OFF_PEAK,
        flat_demand_periods=(
            (DemandTier(Decimal(10), Decimal(2)), DemandTier(Decimal(6))),
            (DemandTier(Decimal(1)),),
        ),
        flat_demand_months=(0,) + (1,) * 11,
    )

    # when
    bills = rate_intervals(tariff, three_day_load())

    # then January: 2 kW x $10 + (4 - 2) kW x $6 = 32; February drew nothing
    assert bills[0].demand_flat == Decimal(32)
    assert bills[0].trace.flat_peak.hour == 42
    assert bills[1].demand_flat == 0
    assert bills[0].demand_tou == 0
