"""Tariffs SAM would refuse, and loads that cannot be rated, are rejected."""

from decimal import Decimal

import pytest

from meterbill.engine.tariff import EnergyTier, Tariff, TariffError, rate_intervals

TWO_PERIODS = tuple(tuple(h % 2 for h in range(24)) for _ in range(12))
ONE_PERIOD = tuple(tuple(0 for _ in range(24)) for _ in range(12))


def test_it_rejects_periods_of_one_month_with_different_tier_limits():
    # given period 0 breaks at 100 kWh and period 1 at 200 kWh
    periods = (
        (EnergyTier(Decimal("0.1"), Decimal(100)), EnergyTier(Decimal("0.2"))),
        (EnergyTier(Decimal("0.1"), Decimal(200)), EnergyTier(Decimal("0.2"))),
    )

    # when / then
    with pytest.raises(TariffError, match="different tier limits"):
        Tariff(
            energy_periods=periods,
            energy_weekday=TWO_PERIODS,
            energy_weekend=TWO_PERIODS,
        )


def test_it_rejects_a_schedule_naming_an_undefined_period():
    # given a schedule using periods 0 and 1, with only period 0 defined
    periods = ((EnergyTier(Decimal("0.1")),),)

    # when / then
    with pytest.raises(TariffError, match=r"energy_weekday\[0\]\[1\] names period 1"):
        Tariff(
            energy_periods=periods,
            energy_weekday=TWO_PERIODS,
            energy_weekend=ONE_PERIOD,
        )


def test_it_rejects_a_load_that_is_not_one_hourly_year():
    # given
    tariff = Tariff(
        energy_periods=((EnergyTier(Decimal("0.1")),),),
        energy_weekday=ONE_PERIOD,
        energy_weekend=ONE_PERIOD,
    )

    # when / then
    with pytest.raises(TariffError, match="8760"):
        rate_intervals(tariff, [Decimal(1)] * 8784)


def test_it_rejects_negative_load():
    # given
    tariff = Tariff(
        energy_periods=((EnergyTier(Decimal("0.1")),),),
        energy_weekday=ONE_PERIOD,
        energy_weekend=ONE_PERIOD,
    )
    load = [Decimal(1)] * 8760
    load[100] = Decimal(-1)

    # when / then
    with pytest.raises(TariffError, match="hour 100"):
        rate_intervals(tariff, load)
