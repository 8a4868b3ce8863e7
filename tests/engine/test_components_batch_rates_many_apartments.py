"""rate_many rates many apartments with one compiled tariff; a bad apartment gets
its own error and the others are still rated."""

from datetime import date
from decimal import Decimal as D

from meterbill.engine.components import (
    STANDARD_NAMES,
    FixedCharge,
    FormulaCharge,
    RatingError,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
)
from meterbill.engine.components_batch import prepare_version, rate_many
from meterbill.engine.formula import FormulaError, compile_formula

VAT = [
    VatRates(date(2025, 1, 1), {"S": D(19)}),
    VatRates(date(2025, 8, 1), {"S": D(21)}),
]
WATER = TariffVersion(
    "W1",
    date(2025, 1, 1),
    "EUR",
    (
        FixedCharge("F", "Standing charge", amount_per_month=D(10), per="meter"),
        UnitPrice("W", "Water", unit_price=D("2.00"), unit_code="MTQ"),
        FormulaCharge(
            "C",
            "Cleaning per person",
            formula=compile_formula("round(12 / persons, 2)", STANDARD_NAMES),
        ),
    ),
)


def test_it_rates_each_apartment_and_keeps_the_errors_apart():
    # given three apartments in July: 2 persons, 1 meter; no persons; no meters
    july = (date(2025, 7, 1), date(2025, 7, 31))
    usages = [
        Usage(*july, D("3.500"), {"persons": D(2), "meters": D(1)}),
        Usage(*july, D("1.000"), {"persons": D(0), "meters": D(1)}),
        Usage(*july, D("1.000"), {"persons": D(1)}),
    ]

    # when rated in one call
    first, second, third = rate_many(prepare_version(WATER), usages, VAT)

    # then the first: fixed 10.00 x 1 month x 1 meter, water 3.5 x 2.00 = 7.00,
    # cleaning 12 / 2 = 6.00; net 23.00, VAT 19% = 4.37, total 27.37
    assert not isinstance(first, Exception)
    assert [line.net_amount for line in first.lines] == [
        D("10.00"),
        D("7.00"),
        D("6.00"),
    ]
    assert first.totals.vat_total == D("4.37")
    assert first.totals.tax_inclusive == D("27.37")
    # the second divides by no persons; the third has no meter count
    assert isinstance(second, FormulaError)
    assert "division by zero" in str(second)
    assert isinstance(third, RatingError)
    assert "meters" in str(third)


def test_it_splits_only_the_periods_that_cross_a_vat_change():
    # given one apartment in July and one from 15 July to 14 August
    july = Usage(date(2025, 7, 1), date(2025, 7, 31), D("31.000"), {"meters": D(1)})
    crossing = Usage(
        date(2025, 7, 15), date(2025, 8, 14), D("31.000"), {"meters": D(1)}
    )
    plain = TariffVersion("W1", date(2025, 1, 1), "EUR", WATER.components[:2])

    # when rated in one call
    whole, split = rate_many(prepare_version(plain), [july, crossing], VAT)

    # then July is one part: 10.00 + 62.00 at 19%; the other is split 17/14
    # days: fixed 10 x 17/31 = 5.48 and 10 x 14/31 = 4.52, water 17 x 2 = 34.00
    # and 14 x 2 = 28.00
    assert not isinstance(whole, Exception) and not isinstance(split, Exception)
    assert len(whole.parts) == 1
    assert [line.net_amount for line in whole.lines] == [D("10.00"), D("62.00")]
    assert [(ln.net_amount, ln.vat_rate) for ln in split.lines] == [
        (D("5.48"), D(19)),
        (D("34.00"), D(19)),
        (D("4.52"), D(21)),
        (D("28.00"), D(21)),
    ]


def test_it_refuses_a_variable_that_is_not_a_finite_number():
    # given an apartment whose area is NaN (a broken import, say)
    area = FormulaCharge(
        "A", "By area", formula=compile_formula("area * 0.5", STANDARD_NAMES)
    )
    version = TariffVersion("A1", date(2025, 1, 1), "EUR", (area,))
    usage = Usage(date(2025, 7, 1), date(2025, 7, 31), D(0), {"area": D("NaN")})

    # when rated
    (result,) = rate_many(prepare_version(version), [usage], VAT)

    # then a FormulaError names the variable instead of a NaN amount
    assert isinstance(result, FormulaError)
    assert "variable 'area' is NaN, not a finite number" in str(result)
