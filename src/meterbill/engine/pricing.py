"""Pricing: a contract's items for the period become priced invoice lines.

The bill run first decides what each apartment is charged for (``Item``: its own
metered quantity, its share of the common consumption, its share of a building cost,
each with the explanation of how it was found), then prices the items with the
tariff versions of the contract's services. Keeping the two steps apart lets the
allocation rules and the tariff components change independently.

This version prices with the simple tariff (``engine.rating``): quantity × unit price,
and the monthly fixed charge prorated by days. A cost share is already an amount: it
is taken as it is, with the provider bill's VAT rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from .rating import Line, TariffPrice, fixed_line, unit_line

if TYPE_CHECKING:
    from .billing import Charge, PeriodIn, UtilityIn

ZERO = Decimal(0)
PRICE_STEP = Decimal("0.000001")

Source = Literal["own", "common", "cost"]


@dataclass
class Item:
    """One thing a contract is charged for, before pricing.

    ``source``: ``own`` (its own meters), ``common`` (its share of the common
    consumption) or ``cost`` (its share of a building cost, in money: ``amount`` and
    ``vat_rate_percent`` are set and the tariff's prices do not apply)."""

    utility_code: str
    source: Source
    description: str
    quantity: Decimal
    unit: str
    unit_code: str
    trace: dict[str, object]
    amount: Decimal | None = None
    vat_rate_percent: Decimal | None = None


def price_charge(
    charge: Charge,
    services: Mapping[str, TariffPrice],
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
) -> None:
    """Append to ``charge.lines`` the priced items, then each service's fixed
    charge for the period."""
    for item in charge.items:
        price = services[item.utility_code]
        if item.amount is not None:
            charge.lines.append(_cost_line(item, price))
        else:
            charge.lines.append(
                unit_line(
                    item.utility_code,
                    item.description,
                    item.quantity,
                    item.unit,
                    item.unit_code,
                    price,
                    item.trace,
                )
            )
    for code, price in services.items():
        name = utilities[code].name if code in utilities else code
        line = fixed_line(
            code, f"{name} – fixed charge", price, period.starts_on, period.ends_on
        )
        if line is not None:
            charge.lines.append(line)


def _cost_line(item: Item, price: TariffPrice) -> Line:
    assert item.amount is not None
    unit_price = (
        (item.amount / item.quantity).quantize(PRICE_STEP) if item.quantity else ZERO
    )
    return Line(
        item.utility_code,
        item.description,
        item.quantity,
        item.unit,
        item.unit_code,
        unit_price,
        item.amount,
        price.vat_category,
        item.vat_rate_percent
        if item.vat_rate_percent is not None
        else price.vat_rate_percent,
        item.trace,
    )
