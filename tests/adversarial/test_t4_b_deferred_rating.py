"""Tester T4, area B (rating by columns, the deferred ``Rating``).

A per-meter fixed charge's shown quantity (months × meters to 0.0001) was only
rounded when a columnar Rating's lines were read: for a usage whose quantity
cannot be shown at 28 digits rate_period raises InvalidOperation, but rate_many
returned a Rating whose totals read (0.00) and whose lines raised. rate_many
promises "the Rating of usages[i], or the error raised for it".

(Rating is no longer a frozen dataclass since df8f5d5; the lead kept it a
slotted class, as its docstring says, so no test asks for dataclass behaviour.)"""

from datetime import date
from decimal import Decimal as D
from decimal import InvalidOperation

import pytest

from meterbill.engine.components import (
    FixedCharge,
    TariffVersion,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.components_batch import COLUMNS_FROM, prepare_version, rate_many

VAT = [VatRates(date(2025, 1, 1), {"S": D(19)})]


def test_a_usage_rate_period_cannot_rate_is_an_error_of_rate_many():
    # given a free per-meter charge and, among eight apartments of March, one
    # with 10^25 meters: 10^25 months cannot be shown to 0.0001 at 28 digits
    version = TariffVersion(
        "M",
        date(2025, 1, 1),
        "EUR",
        (FixedCharge("F", "Meter rent", amount_per_month=D(0), per="meter"),),
    )
    work = [
        Usage(
            date(2025, 3, 1),
            date(2025, 3, 31),
            D(1),
            {"meters": D("1E+25") if n == 0 else D(1)},
        )
        for n in range(COLUMNS_FROM)
    ]
    with pytest.raises(InvalidOperation):
        rate_period([version], VAT, work[0])

    # when the eight are rated in one batch
    got = rate_many(prepare_version(version), work, VAT)

    # then the first is rate_period's error, not a Rating that fails when read
    assert isinstance(got[0], InvalidOperation), got[0].totals
    assert got[1].totals.tax_exclusive == D("0.00")
