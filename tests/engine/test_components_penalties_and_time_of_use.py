"""Late-payment penalties, and time-of-use energy and demand from tariff.py."""

from datetime import date
from decimal import Decimal as D

from meterbill.engine.components import (
    PENALTY_NAMES,
    DemandCharge,
    PenaltyRule,
    TariffVersion,
    TimeOfUseEnergy,
    Usage,
    VatRates,
    late_payment_penalty,
    rate_period,
)
from meterbill.engine.formula import compile_formula
from meterbill.engine.tariff import DemandTier, EnergyTier, Tariff

RULE = PenaltyRule(rate_per_day=D("0.1"), grace_days=5, cap_percent=D(10))
DUE = date(2025, 3, 31)


def test_it_charges_a_penalty_for_the_days_beyond_the_grace_days():
    # when 500.00 is paid 30 days late with 5 grace days at 0.1% a day
    line = late_payment_penalty(D(500), DUE, date(2025, 4, 30), RULE, "EUR")

    # then 500 x 0.1% x (30 - 5) = 12.50, outside the scope of VAT
    assert line is not None
    assert line.net_amount == D("12.50")
    assert (line.vat_category, line.vat_rate) == ("O", None)
    assert line.starts_on == date(2025, 4, 1)


def test_it_charges_nothing_within_the_grace_days_and_caps_the_penalty():
    # when paid 3 days late, and two years late
    on_time = late_payment_penalty(D(500), DUE, date(2025, 4, 3), RULE, "EUR")
    very_late = late_payment_penalty(D(500), DUE, date(2027, 3, 31), RULE, "EUR")

    # then nothing; and 730 - 5 days x 0.50 = 362.50, capped at 10% = 50.00
    assert on_time is None
    assert very_late is not None and very_late.net_amount == D("50.00")


def test_it_takes_a_penalty_formula_of_the_users_choice():
    # given a flat 15.00 once the grace days are over
    flat = PenaltyRule(
        D(0),
        5,
        D(0),
        formula=compile_formula("if(days_late > grace_days, 15, 0)", PENALTY_NAMES),
    )

    # when 6 days late
    line = late_payment_penalty(D(500), DUE, date(2025, 4, 6), flat, "EUR")

    # then
    assert line is not None and line.net_amount == D("15.00")


def test_it_rates_time_of_use_energy_and_demand_by_the_days_of_each_month():
    # given 0.10 a kWh off-peak, 0.30 peak 17-20 h on weekdays, a flat demand charge
    # of 5.00 a kW, and a constant 1 kW load
    weekday = tuple(
        tuple(1 if 17 <= h < 20 else 0 for h in range(24)) for _ in range(12)
    )
    weekend = tuple(tuple(0 for _ in range(24)) for _ in range(12))
    tariff = Tariff(
        energy_periods=((EnergyTier(D("0.10")),), (EnergyTier(D("0.30")),)),
        energy_weekday=weekday,
        energy_weekend=weekend,
        flat_demand_periods=((DemandTier(D(5)),),),
        flat_demand_months=(0,) * 12,
    )
    version = TariffVersion(
        "TOU",
        date(2023, 1, 1),
        "EUR",
        (
            TimeOfUseEnergy("E", "Energy", tariff=tariff),
            DemandCharge("D", "Demand", tariff=tariff),
        ),
    )
    usage = Usage(
        date(2023, 1, 1), date(2023, 2, 14), D(0), hourly_load_kw=[D(1)] * 8760
    )

    # when January 2023 (starts on a Sunday: 22 weekdays) and half of February
    rating = rate_period([version], [VatRates(date(2023, 1, 1), {"S": D(19)})], usage)

    # then January is whole: peak 22 x 3 = 66 kWh x 0.30 = 19.80, off-peak
    # 744 - 66 = 678 kWh x 0.10 = 67.80; demand 1 kW x 5.00. February 1-14 (from a
    # Wednesday: 10 weekdays) is rated on its days: peak 10 x 3 = 30 kWh x 0.30 =
    # 9.00, off-peak 336 - 30 = 306 kWh x 0.10 = 30.60, demand 1 kW x 5.00 x 14/28
    assert [(ln.quantity, ln.net_amount) for ln in rating.lines] == [
        (D("678.000"), D("67.80")),
        (D("66.000"), D("19.80")),
        (D("306.000"), D("30.60")),
        (D("30.000"), D("9.00")),
        (D(1), D("5.00")),
        (D(1), D("2.50")),
    ]
