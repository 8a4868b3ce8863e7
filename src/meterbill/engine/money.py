"""Money and quantity rounding: one place, an explicit mode, the currency's precision.

Shares are computed exactly and rounded once with the largest-remainder method
(Hamilton's method), so that the rounded parts always add up to the rounded whole.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# ISO 4217 minor units of the currencies we invoice in; others default to 2.
_MINOR_UNITS = {"JPY": 0, "HUF": 2, "KWD": 3, "BHD": 3, "TND": 3}

# Commercial rounding (half away from zero) is what EN 16931 examples and the VAT
# laws of the EU member states we serve expect for invoice amounts.
DEFAULT_ROUNDING = ROUND_HALF_UP


def precision(currency: str) -> Decimal:
    """The smallest amount of ``currency``: Decimal('0.01') for EUR, RON, USD."""
    return Decimal(1).scaleb(-_MINOR_UNITS.get(currency.upper(), 2))


def round_money(
    amount: Decimal, currency: str, rounding: str = DEFAULT_ROUNDING
) -> Decimal:
    """Round ``amount`` to the currency's precision with an explicit mode."""
    return amount.quantize(precision(currency), rounding=rounding)


def round_to(
    amount: Decimal, step: Decimal, rounding: str = DEFAULT_ROUNDING
) -> Decimal:
    """Round to a given precision such as Decimal('0.001') for a quantity."""
    return amount.quantize(step, rounding=rounding)


def split_largest_remainder(
    total: Decimal, weights: Mapping[K, Decimal], step: Decimal
) -> dict[K, Decimal]:
    """Split ``total`` (already a multiple of ``step``) in proportion to ``weights``.

    Each part is the exact share truncated to ``step``; the steps left over go one by
    one to the parts with the largest remainders (ties: the larger weight, then the
    key order given). The parts sum to ``total`` exactly. Negative totals are split
    symmetrically. All weights zero: the total is split in equal shares.
    """
    if total != total.quantize(step):
        raise ValueError(f"total {total} is not a multiple of {step}")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot split a non-zero total over no parts")
        return {}
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum == 0:
        weights = dict.fromkeys(weights, Decimal(1))
        weight_sum = Decimal(len(weights))

    sign = -1 if total < 0 else 1
    units = int((abs(total) / step).to_integral_value())
    floors: dict[K, int] = {}
    remainders: list[tuple[Decimal, Decimal, int, K]] = []
    for order, (key, weight) in enumerate(weights.items()):
        exact = Decimal(units) * weight / weight_sum
        whole = int(exact)  # truncation toward zero; exact is never negative
        floors[key] = whole
        remainders.append((exact - whole, weight, -order, key))

    left = units - sum(floors.values())
    for _rem, _w, _o, key in sorted(remainders, key=lambda r: r[:3], reverse=True)[
        :left
    ]:
        floors[key] += 1
    return {key: sign * n * step for key, n in floors.items()}
