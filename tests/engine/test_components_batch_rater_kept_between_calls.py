"""A Rater kept between calls (the bill run keeps one per tariff plan and prices
contract by contract) rates each usage as rate_period does, whatever periods it met
before."""

from datetime import date
from decimal import Decimal as D

from meterbill.engine.components import (
    FixedCharge,
    RatingError,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.components_batch import Rater, prepare_version

VAT = [VatRates(date(2025, 1, 1), {"S": D(19)})]
OLD = TariffVersion(
    "W",
    date(2025, 1, 1),
    "EUR",
    (
        FixedCharge("F", "Standing charge", amount_per_month=D(10)),
        UnitPrice("W", "Water", unit_price=D("2.00"), unit_code="MTQ"),
    ),
)
NEW = TariffVersion(
    "W",
    date(2025, 7, 16),
    "EUR",
    (
        FixedCharge("F", "Standing charge", amount_per_month=D(10)),
        UnitPrice("W", "Water", unit_price=D("3.00"), unit_code="MTQ"),
    ),
)


def test_it_rates_one_usage_at_a_time_as_rate_period_does():
    # given one Rater for a tariff whose price goes from 2.00 to 3.00 on 16 July
    rater = Rater([prepare_version(OLD), prepare_version(NEW)], VAT)
    july, june = (
        (date(2025, 7, 1), date(2025, 7, 31)),
        (date(2025, 6, 1), date(2025, 6, 30)),
    )
    usages = [
        Usage(*july, D("31")),
        Usage(*june, D("3")),
        Usage(*july, D("6.2")),  # July again: its plan is the one kept
        Usage(date(2025, 7, 20), date(2025, 7, 10), D("1")),  # ends before it starts
    ]

    # when each usage is rated in a call of its own
    got = [rater.rate_many([u])[0] for u in usages]

    # then each result is rate_period's: July splits at the 16th by days, 15 and 16:
    # 31 m3 → 15 × 2.00 + 16 × 3.00 = 78.00, fixed 15/31 and 16/31 of 10.00
    # (4.84 + 5.16); June is all at 2.00: 6.00 + 10.00
    for usage, rating in zip(usages[:3], got[:3], strict=True):
        assert rating == rate_period([OLD, NEW], VAT, usage)
    assert got[0].totals.tax_exclusive == D("88.00")  # 4.84 + 30.00 + 5.16 + 48.00
    assert got[1].totals.tax_exclusive == D("16.00")
    # and the bad period gets rate_period's error, the others are not affected
    assert isinstance(got[3], RatingError)
    assert "before it starts" in str(got[3])
