"""Partial months are counted by their days (fixed charges are prorated)."""

from datetime import date
from decimal import Decimal

from meterbill.engine.components import (
    FixedCharge,
    TariffVersion,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.rating import month_fraction

D = Decimal


def test_it_counts_a_whole_leap_february_as_one_month():
    assert month_fraction(date(2028, 2, 1), date(2028, 2, 29)) == 1


def test_it_counts_part_of_a_leap_february_by_its_29_days():
    # 1–14 Feb 2028: 14 of 29 days
    assert month_fraction(date(2028, 2, 1), date(2028, 2, 14)) == D(14) / D(29)


def test_it_adds_partial_months_across_a_month_end():
    # 15 Jan–14 Feb 2028: 17/31 (15–31 Jan) + 14/29 (1–14 Feb)
    expected = D(17) / D(31) + D(14) / D(29)

    assert month_fraction(date(2028, 1, 15), date(2028, 2, 14)) == expected


def test_it_prorates_the_fixed_charge_and_rounds_once():
    version = TariffVersion(
        "COLD",
        date(2028, 1, 1),
        "RON",
        (FixedCharge("FIX", "Cold water – fixed", amount_per_month=D("2.00")),),
    )
    vat = [VatRates(date(2028, 1, 1), {"S": D("19")})]

    rating = rate_period(
        [version], vat, Usage(date(2028, 2, 1), date(2028, 2, 14), D(0))
    )

    # then 2.00 × 14/29 = 0.96551… → 0.97 RON; quantity shown as 0.4828 months
    [line] = rating.lines
    assert line.net_amount == D("0.97")
    assert line.quantity == D("0.4828")
