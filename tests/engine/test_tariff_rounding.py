"""Figures are exact; rounded one by one they match a reference calculator, and as
invoice lines they add up to the rounded total."""

from decimal import Decimal

from meterbill.engine.tariff import (
    EnergyTier,
    Tariff,
    invoice_lines,
    rate_intervals,
    rounded_figures,
)

ONE_PERIOD = tuple(tuple(0 for _ in range(24)) for _ in range(12))


def half_cent_bill():
    # 1 kWh at 0.125 $/kWh in January, and a fixed 0.125 $/month
    tariff = Tariff(
        energy_periods=((EnergyTier(Decimal("0.125")),),),
        energy_weekday=ONE_PERIOD,
        energy_weekend=ONE_PERIOD,
        fixed_charge=Decimal("0.125"),
    )
    load = [Decimal(1)] + [Decimal(0)] * 8759
    return rate_intervals(tariff, load)[0]


def test_it_rounds_each_figure_on_its_own():
    # given
    january = half_cent_bill()

    # when
    figures = rounded_figures(january)

    # then 0.125 -> 0.13 (half up) for each part, while 0.25 stays 0.25
    assert figures["energy"] == Decimal("0.13")
    assert figures["fixed"] == Decimal("0.13")
    assert figures["total"] == Decimal("0.25")


def test_it_makes_invoice_lines_that_add_up_to_the_total():
    # given
    january = half_cent_bill()

    # when
    lines = invoice_lines(january)

    # then 25 cents split 1:1 -> 12.5 each; the odd cent goes to the first part
    assert lines["energy"] == Decimal("0.13")
    assert lines["fixed"] == Decimal("0.12")
    assert sum(lines.values()) == Decimal("0.25")
