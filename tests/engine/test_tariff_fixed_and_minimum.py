"""Fixed charges per month or per day, and monthly and annual minimum charges."""

from decimal import Decimal

from meterbill.engine.money import round_money
from meterbill.engine.tariff import (
    ChargeUnit,
    EnergyTier,
    Tariff,
    annual_total,
    rate_intervals,
)

ONE_PERIOD = tuple(tuple(0 for _ in range(24)) for _ in range(12))


def tariff(**charges) -> Tariff:
    return Tariff(
        energy_periods=((EnergyTier(Decimal("0.10")),),),
        energy_weekday=ONE_PERIOD,
        energy_weekend=ONE_PERIOD,
        **charges,
    )


def january_load_only() -> list[Decimal]:
    # 1 kW for the first 72 hours: 72 kWh in January, nothing after
    return [Decimal(1)] * 72 + [Decimal(0)] * (8760 - 72)


def test_it_charges_a_daily_fixed_charge_for_each_day_of_the_month():
    # given $0.50 a day
    daily = tariff(fixed_charge=Decimal("0.50"), fixed_charge_unit=ChargeUnit.PER_DAY)

    # when
    bills = rate_intervals(daily, january_load_only())

    # then April has 30 days: 30 x 0.50 = 15.00; January 31 x 0.50 = 15.50
    assert bills[3].fixed == Decimal("15.00")
    assert bills[0].fixed == Decimal("15.50")
    assert bills[1].fixed == Decimal("14.00")  # 28 days


def test_it_tops_a_small_bill_up_to_the_monthly_minimum():
    # given a $5 fixed charge and a $20 monthly minimum
    with_minimum = tariff(fixed_charge=Decimal(5), min_charge=Decimal(20))

    # when
    bills = rate_intervals(with_minimum, january_load_only())

    # then January: energy 72 x 0.10 = 7.20, + fixed 5 = 12.20 < 20 -> minimum 7.80
    # February: fixed 5 only -> minimum 15
    assert bills[0].energy == Decimal("7.20")
    assert bills[0].minimum == Decimal("7.80")
    assert bills[0].total == Decimal(20)
    assert bills[1].minimum == Decimal(15)


def test_it_adds_an_annual_minimum_shortfall_to_december():
    # given a $5 fixed charge, a $20 monthly and a $300 annual minimum
    with_minimums = tariff(
        fixed_charge=Decimal(5),
        min_charge=Decimal(20),
        annual_min_charge=Decimal(300),
    )

    # when
    bills = rate_intervals(with_minimums, january_load_only())

    # then the year's bills before monthly minimums: 12.20 + 11 x 5 = 67.20,
    # so December's minimum is its own 15 plus 300 - 67.20 = 232.80: 247.80
    # and the year: 11 months at the $20 minimum + December 5 + 247.80 = 472.80
    assert bills[11].minimum == Decimal("247.80")
    assert round_money(annual_total(bills), "USD") == Decimal("472.80")
