"""Pricing quantities with a tariff version: priced lines with their trace, and
invoice totals with the VAT breakdown EN 16931 asks for.

Line net amount = quantity × unit price, rounded to the currency's precision once per
line. VAT is computed per (category, rate) on the sum of the line net amounts of that
group and rounded once per group (EN 16931 BR-CO-17), so the invoice's VAT total is
the sum of the group amounts (BR-CO-14).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .money import round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TariffPrice:
    """One tariff version as the engine sees it. Amounts are net of VAT."""

    tariff_code: str
    version_id: int
    valid_from: date
    currency: str
    fixed_charge_per_month: Decimal
    unit_price_net: Decimal
    vat_category: str
    vat_rate_percent: Decimal


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
    vat_rate_percent: Decimal
    trace: dict[str, object] = field(default_factory=dict)


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


def unit_line(
    utility_code: str,
    description: str,
    quantity: Decimal,
    unit: str,
    unit_code: str,
    price: TariffPrice,
    trace: dict[str, object],
) -> Line:
    """A quantity priced at the version's unit price."""
    net = round_money(quantity * price.unit_price_net, price.currency)
    return Line(
        utility_code,
        description,
        quantity,
        unit,
        unit_code,
        price.unit_price_net,
        net,
        price.vat_category,
        price.vat_rate_percent,
        {**trace, "tariff": _tariff_trace(price), "rule": "quantity × unit price"},
    )


def fixed_line(
    utility_code: str,
    description: str,
    price: TariffPrice,
    starts_on: date,
    ends_on: date,
) -> Line | None:
    """The version's monthly fixed charge over the period, prorated by days."""
    if not price.fixed_charge_per_month:
        return None
    months = month_fraction(starts_on, ends_on)
    net = round_money(months * price.fixed_charge_per_month, price.currency)
    return Line(
        utility_code,
        description,
        months.quantize(Decimal("0.0001")),
        "month",
        "MON",
        price.fixed_charge_per_month,
        net,
        price.vat_category,
        price.vat_rate_percent,
        {
            "tariff": _tariff_trace(price),
            "months": str(months),
            "rule": "fixed charge per month × months (partial months by days)",
        },
    )


def _tariff_trace(price: TariffPrice) -> dict[str, object]:
    return {
        "code": price.tariff_code,
        "version": price.version_id,
        "valid_from": price.valid_from.isoformat(),
        "unit_price_net": str(price.unit_price_net),
        "fixed_charge_per_month": str(price.fixed_charge_per_month),
        "vat": f"{price.vat_category} {price.vat_rate_percent}%",
    }


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate_percent: Decimal
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    groups: tuple[VatGroup, ...]


def totals(lines: Iterable[Line], currency: str) -> Totals:
    """Invoice totals: net = Σ line nets; VAT per (category, rate) group, rounded
    once per group; gross = net + VAT."""
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.vat_category, line.vat_rate_percent)
        bases[key] = bases.get(key, ZERO) + line.net_amount
    groups = tuple(
        VatGroup(cat, rate, base, round_money(base * rate / HUNDRED, currency))
        for (cat, rate), base in sorted(bases.items())
    )
    net = sum((g.base for g in groups), ZERO)
    vat = sum((g.vat for g in groups), ZERO)
    return Totals(net, vat, net + vat, groups)
