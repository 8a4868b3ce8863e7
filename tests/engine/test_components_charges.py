"""Each component kind, on hand-computed examples (EUR, line rounding half up)."""

from datetime import date
from decimal import Decimal as D

import pytest

from meterbill.engine.components import (
    STANDARD_NAMES,
    BlockPrice,
    ExciseTax,
    FixedCharge,
    FormulaCharge,
    MaximumCharge,
    MinimumCharge,
    RatingError,
    SeasonalPrice,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.formula import compile_formula

VAT = [VatRates(date(2025, 1, 1), {"S": D(19), "Z": D(0), "O": None})]


def rate(components, starts_on, ends_on, quantity, tables=None, **variables):
    version = TariffVersion(
        "T1", date(2025, 1, 1), "EUR", tuple(components), tables or {}
    )
    usage = Usage(starts_on, ends_on, D(quantity), variables)
    return rate_period([version], VAT, usage)


def nets(rating):
    return [line.net_amount for line in rating.lines]


def test_it_prorates_a_fixed_charge_per_meter_by_days():
    # given 12.00 a month per meter, 2 meters
    fixed = FixedCharge("F", "Standing charge", amount_per_month=D(12), per="meter")

    # when billed 1 Jan - 14 Feb 2025
    rating = rate([fixed], date(2025, 1, 1), date(2025, 2, 14), 0, meters=D(2))

    # then months = 1 + 14/28 = 1.5; 1.5 x 2 meters x 12.00 = 36.00
    assert nets(rating) == [D("36.00")]
    assert rating.lines[0].quantity == D("3.0000")


def test_it_prices_a_quantity_at_a_unit_price():
    # given 2.10 a m3
    unit = UnitPrice("W", "Cold water", unit_price=D("2.10"), unit_code="MTQ")

    # when 12.345 m3
    rating = rate([unit], date(2025, 6, 1), date(2025, 6, 30), "12.345")

    # then 12.345 x 2.10 = 25.9245 -> 25.92
    assert nets(rating) == [D("25.92")]


def test_it_prices_inclining_blocks_with_limits_scaled_to_the_period():
    # given 10 m3 a month at 1.00, up to 20 at 1.50, the rest at 2.00
    blocks = BlockPrice(
        "B", "Water", blocks=((D(10), D(1)), (D(20), D("1.5")), (None, D(2)))
    )

    # when 12 m3 in half of June (months = 15/30 = 0.5: limits 5 and 10)
    rating = rate([blocks], date(2025, 6, 1), date(2025, 6, 15), 12)

    # then 5 x 1.00 + 5 x 1.50 + 2 x 2.00 = 5 + 7.50 + 4 = 16.50
    assert [line.quantity for line in rating.lines] == [D(5), D(5), D(2)]
    assert nets(rating) == [D("5.00"), D("7.50"), D("4.00")]


def test_it_prices_declining_blocks_incrementally_or_on_all_units():
    # given 100 kWh a month at 0.30, the rest at 0.20
    tiers = ((D(100), D("0.30")), (None, D("0.20")))
    incremental = BlockPrice("D", "Gas", blocks=tiers)
    all_units = BlockPrice("D", "Gas", blocks=tiers, basis="all_units")
    june = (date(2025, 6, 1), date(2025, 6, 30))

    # when 150 and 80 kWh in June
    # then incremental 100 x 0.30 + 50 x 0.20 = 40.00; all units 150 x 0.20 = 30.00
    assert sum(nets(rate([incremental], *june, 150))) == D("40.00")
    assert nets(rate([all_units], *june, 150)) == [D("30.00")]
    # and 80 kWh stay in the first block: 80 x 0.30 = 24.00
    assert nets(rate([all_units], *june, 80)) == [D("24.00")]


def test_it_rejects_blocks_whose_limits_do_not_increase():
    with pytest.raises(RatingError, match="increase"):
        BlockPrice("B", "x", blocks=((D(10), D(1)), (D(5), D(2)), (None, D(3))))


def test_it_splits_a_seasonal_quantity_by_the_days_of_each_month():
    # given winter (Oct-Mar) at 2.00 and summer at 1.00
    prices = tuple(D(1) if 4 <= m <= 9 else D(2) for m in range(1, 13))
    seasonal = SeasonalPrice("S", "Heat", prices_by_month=prices)

    # when 10.00 units over 16 Mar - 15 Apr (16 + 15 = 31 days)
    rating = rate([seasonal], date(2025, 3, 16), date(2025, 4, 15), "10.00")

    # then March 10 x 16/31 = 5.1612.. and April 4.8387..; at 0.01 the floors
    # 5.16 + 4.83 leave 0.01 for April (larger remainder): 5.16 x 2 + 4.84 x 1
    assert [line.quantity for line in rating.lines] == [D("5.16"), D("4.84")]
    assert nets(rating) == [D("10.32"), D("4.84")]
    assert rating.lines[1].starts_on == date(2025, 4, 1)


def test_it_computes_formula_components_as_amount_or_as_price():
    # given a share of the stairs cleaning by area and persons, and a waste fee
    # per person looked up in the price list
    names = STANDARD_NAMES
    cleaning = FormulaCharge(
        "C", "Cleaning", formula=compile_formula("area * 0.35 + persons * 2", names)
    )
    waste = FormulaCharge(
        "WF",
        "Waste",
        formula=compile_formula('lookup("fees", "waste")', names),
        quantity=compile_formula("persons", names),
    )

    # when 62.5 m2, 3 persons
    rating = rate(
        [cleaning, waste],
        date(2025, 6, 1),
        date(2025, 6, 30),
        0,
        {"fees": {"waste": D("4.5")}},
        area=D("62.5"),
        persons=D(3),
    )

    # then 62.5 x 0.35 + 3 x 2 = 27.875 -> 27.88; 3 persons x 4.50 = 13.50
    assert nets(rating) == [D("27.88"), D("13.50")]
    assert rating.lines[1].quantity == D(3)
    assert rating.lines[0].trace["formula"] == "area * 0.35 + persons * 2"


def test_it_tops_up_to_a_minimum_and_caps_at_a_maximum():
    # given 0.50 a unit with a minimum of 8.00 and a maximum of 20.00 a month
    unit = UnitPrice("U", "Energy", unit_price=D("0.50"))
    minimum = MinimumCharge("MIN", "Minimum charge", amount_per_month=D(8))
    maximum = MaximumCharge("MAX", "Price cap", amount_per_month=D(20))
    june = (date(2025, 6, 1), date(2025, 6, 30))

    # when 10 units (5.00) and 50 units (25.00)
    low = rate([unit, minimum, maximum], *june, 10)
    high = rate([unit, minimum, maximum], *june, 50)

    # then 8.00 - 5.00 = 3.00 added; 20.00 - 25.00 = -5.00 taken off
    assert nets(low) == [D("5.00"), D("3.00")]
    assert nets(high) == [D("25.00"), D("-5.00")]
    assert high.totals.line_net_total == D("20.00")


def test_it_charges_an_excise_tax_per_unit_inside_the_vat_base():
    # given electricity at 0.20 and an excise of 0.001 a kWh
    energy = UnitPrice("E", "Energy", unit_price=D("0.20"), unit_code="KWH")
    excise = ExciseTax("X", "Excise", unit_price=D("0.001"), unit_code="KWH")

    # when 300 kWh in June
    rating = rate([energy, excise], date(2025, 6, 1), date(2025, 6, 30), 300)

    # then 60.00 + 0.30, VAT 19% on 60.30 = 11.457 -> 11.46
    assert nets(rating) == [D("60.00"), D("0.30")]
    assert rating.totals.vat_total == D("11.46")
    assert rating.lines[1].trace["rule"] == "quantity × excise rate per unit"
