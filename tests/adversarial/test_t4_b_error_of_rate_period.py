"""Tester T4, area B: rate_many rounds each line as it is made, rate_period only
once all lines are made. For a usage with a line too large to round to the cent
(28 digits) and a later component that fails, rate_period raises the later
component's error (here the formula's, naming the missing variable) but
rate_many gave a bare decimal.InvalidOperation, whose text in a bill run
finding is "[<class 'decimal.InvalidOperation'>]". Present before df8f5d5 too
(the one-by-one batch path), and the same on the columnar path, which falls back
to it."""

from datetime import date
from decimal import Decimal as D

import pytest

from meterbill.engine.components import (
    STANDARD_NAMES,
    FormulaCharge,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.components_batch import COLUMNS_FROM, prepare_version, rate_many
from meterbill.engine.formula import FormulaError, compile_formula


def test_rate_many_gives_the_error_rate_period_gives():
    # given 10^20 units at 10^8 (10^28, too large to round to the cent at 28
    # digits), then a charge by area for a usage without an area
    version = TariffVersion(
        "W",
        date(2025, 1, 1),
        "EUR",
        (
            UnitPrice("U", "Water", unit_price=D("1E+8")),
            FormulaCharge(
                "A", "By area", formula=compile_formula("area * 0.5", STANDARD_NAMES)
            ),
        ),
    )
    vat = [VatRates(date(2025, 1, 1), {"S": D(19)})]
    usage = Usage(date(2025, 3, 1), date(2025, 3, 31), D("1E+20"))
    with pytest.raises(FormulaError, match="'area' has no value"):
        rate_period([version], vat, usage)

    # when rated alone and in a batch of eight
    alone = rate_many(prepare_version(version), [usage], vat)
    batch = rate_many(prepare_version(version), [usage] * COLUMNS_FROM, vat)

    # then both give rate_period's error
    for got in (alone[0], batch[0]):
        assert isinstance(got, FormulaError), repr(got)
        assert "'area' has no value" in str(got)
