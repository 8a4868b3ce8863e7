"""Mid-period changes split the period; totals follow EN 16931 BR-CO."""

from datetime import date
from decimal import Decimal as D

import pytest

from meterbill.engine.components import (
    FixedCharge,
    FormulaCharge,
    RatingError,
    Rounding,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    check_vat_rate,
    rate_period,
)
from meterbill.engine.formula import compile_formula
from meterbill.formats.einvoice.model import (
    INVOICE,
    Address,
    Document,
    Line,
    Party,
    compute_totals,
)

WATER = (
    FixedCharge("F", "Standing charge", amount_per_month=D(10)),
    UnitPrice("W", "Water", unit_price=D("2.00"), unit_code="MTQ"),
)
VAT_19_THEN_21 = [
    VatRates(date(2025, 1, 1), {"S": D(19)}),
    VatRates(date(2025, 8, 1), {"S": D(21)}),
]


def test_it_splits_the_period_at_a_vat_change_and_shows_both_parts():
    # given 19% VAT until 31 Jul and 21% from 1 Aug
    version = TariffVersion("W1", date(2025, 1, 1), "EUR", WATER)

    # when 31.000 m3 over 15 Jul - 14 Aug (17 days in July, 14 in August)
    usage = Usage(date(2025, 7, 15), date(2025, 8, 14), D("31.000"))
    rating = rate_period([version], VAT_19_THEN_21, usage)

    # then the quantity splits 17.000 / 14.000; fixed 10 x 17/31 = 5.48 and
    # 10 x 14/31 = 4.52; water 34.00 and 28.00
    assert [(ln.starts_on, ln.net_amount, ln.vat_rate) for ln in rating.lines] == [
        (date(2025, 7, 15), D("5.48"), D(19)),
        (date(2025, 7, 15), D("34.00"), D(19)),
        (date(2025, 8, 1), D("4.52"), D(21)),
        (date(2025, 8, 1), D("28.00"), D(21)),
    ]
    # VAT 39.48 x 19% = 7.5012 -> 7.50; 32.52 x 21% = 6.8292 -> 6.83
    groups = [
        (g.rate_percent, g.taxable_amount, g.tax_amount)
        for g in rating.totals.vat_breakdown
    ]
    assert groups == [(D(19), D("39.48"), D("7.50")), (D(21), D("32.52"), D("6.83"))]
    assert rating.totals.tax_inclusive == D("86.33")


def test_it_splits_at_a_price_change_so_that_the_parts_sum_to_the_quantity():
    # given a price rise from 2.00 to 2.50 on 16 Aug
    old = TariffVersion("W1", date(2025, 1, 1), "EUR", WATER)
    new = TariffVersion(
        "W1", date(2025, 8, 16), "EUR", (UnitPrice("W", "Water", unit_price=D("2.50")),)
    )

    # when 10.001 m3 over August (15 days at the old price, 16 at the new)
    usage = Usage(date(2025, 8, 1), date(2025, 8, 31), D("10.001"))
    rating = rate_period([new, old], VAT_19_THEN_21, usage)

    # then 10.001 x 15/31 = 4.8392 and x 16/31 = 5.1617; at 0.001 the floors
    # 4.839 + 5.161 leave 0.001 for the larger remainder (0.0007 of the second)
    water = [ln for ln in rating.lines if ln.component == "W"]
    assert [ln.quantity for ln in water] == [D("4.839"), D("5.162")]
    assert [ln.net_amount for ln in water] == [D("9.68"), D("12.91")]
    assert rating.parts[1][0] == date(2025, 8, 16)


def test_it_rounds_at_the_invoice_point_so_lines_add_up_to_the_exact_sum():
    # given three lines of a third each
    third = compile_formula("1 / 3", ())
    parts = tuple(FormulaCharge(f"T{i}", "Third", formula=third) for i in range(3))
    version = TariffVersion("X", date(2025, 1, 1), "EUR", parts)
    usage = Usage(date(2025, 6, 1), date(2025, 6, 30), D(0))

    # when rounded per line and at the invoice point
    per_line = rate_period([version], VAT_19_THEN_21, usage)
    per_invoice = rate_period(
        [version], VAT_19_THEN_21, usage, Rounding(point="invoice")
    )

    # then per line 0.33 x 3 = 0.99; cumulatively 0.33, 0.67-0.33, 1.00-0.67
    assert per_line.totals.line_net_total == D("0.99")
    assert [ln.net_amount for ln in per_invoice.lines] == [
        D("0.33"),
        D("0.34"),
        D("0.33"),
    ]
    assert per_invoice.totals.line_net_total == D("1.00")


def test_its_totals_equal_the_einvoice_model_totals():
    # given a rating with two VAT rates
    version = TariffVersion("W1", date(2025, 1, 1), "EUR", WATER)
    usage = Usage(date(2025, 7, 3), date(2025, 8, 29), D("57.77"))
    rating = rate_period([version], VAT_19_THEN_21, usage)

    # when the same lines go into an EN 16931 document
    party = Party("Someone", Address(country_code="RO"))
    doc = Document(
        "1",
        date(2025, 9, 1),
        INVOICE,
        "EUR",
        party,
        party,
        tuple(
            Line(
                str(i),
                ln.quantity,
                ln.unit_code,
                ln.unit_price,
                ln.net_amount,
                ln.description,
                ln.vat_category,
                ln.vat_rate,
            )
            for i, ln in enumerate(rating.lines)
        ),
    )
    expected = compute_totals(doc)

    # then
    assert rating.totals.line_net_total == expected.line_net_total
    assert rating.totals.vat_total == expected.vat_total
    assert rating.totals.tax_inclusive == expected.tax_inclusive


def test_it_knows_the_en16931_vat_categories_and_their_rates():
    # given / when / then
    check_vat_rate("S", D(19))
    check_vat_rate("Z", D(0))
    check_vat_rate("AE", D(0))
    check_vat_rate("O", None)
    for category, rate in (("S", D(0)), ("E", D(5)), ("O", D(0)), ("X", D(1))):
        with pytest.raises(RatingError):
            check_vat_rate(category, rate)


def test_it_refuses_a_period_with_no_valid_tariff_version():
    # given a version valid only from August
    version = TariffVersion("W1", date(2025, 8, 1), "EUR", WATER)

    # when / then
    with pytest.raises(RatingError, match="no tariff version valid on 2025-07-15"):
        rate_period(
            [version],
            VAT_19_THEN_21,
            Usage(date(2025, 7, 15), date(2025, 8, 14), D(1)),
        )
