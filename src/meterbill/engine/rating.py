"""The invoice line as the bill run, advances and corrections hand it to issuing,
and the month fraction used to prorate monthly amounts.

Lines are priced by ``engine.pricing`` with the tariff components
(``engine.components``); invoice totals are ``components.invoice_totals`` (EN 16931
BR-CO rules), for these lines as for the components' own.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


@dataclass
class Line:
    utility_code: str
    description: str
    quantity: Decimal
    unit: str
    unit_code: str
    unit_price_net: Decimal
    net_amount: Decimal
    vat_category: str
    vat_rate_percent: Decimal  # 0 for category O (no rate) in the stored line
    trace: dict[str, object] = field(default_factory=dict)
    # The days the line prices (a part, when the period is split); None: not dated.
    starts_on: date | None = None
    ends_on: date | None = None
    # How to word the line in the customer's language (engine.pricing.Wording).
    wording: Any = None

    @property
    def vat_rate(self) -> Decimal | None:
        """BT-152 as ``components.invoice_totals`` reads it: None for category O."""
        return None if self.vat_category == "O" else self.vat_rate_percent


def month_fraction(starts_on: date, ends_on: date) -> Decimal:
    """Calendar months covered by ``starts_on``..``ends_on`` inclusive, each partial
    month counted by its days: 1 Jan–31 Jan is 1, 1 Feb–14 Feb 2025 is 14/28."""
    months = ZERO
    day = starts_on
    while day <= ends_on:
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        through = min(last, ends_on)
        months += Decimal((through - day).days + 1) / Decimal(last.day)
        day = through + timedelta(days=1)
    return months
