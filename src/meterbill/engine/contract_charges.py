"""A contract's fees and one-off items as priced invoice lines.

A contract may be charged for things no meter measures: a monthly service fee, the
rent of a meter, a connection fee, a reminder fee (``premises.ContractCharge``).
They are already priced (quantity × unit price net), so they do not go through the
tariff: each becomes one line per VAT rate in force, next to the contract's rated
lines.

- ``monthly``: quantity × unit price per month × months, over the days the
  contract and the charge are both in force in the period; a partial month counts
  its days over the month's days (``rating.month_fraction``), so a 12.00 fee from
  the 11th of a 30-day month is 20/30 × 12.00 = 8.00.
- ``once``: quantity × unit price, on the first invoice of a period that ends on
  or after the day it is due; the loader leaves out an item an invoice of another
  period has billed.

The net amount is computed exactly and rounded once, to the currency's precision.
The VAT rate is the charge's own when it has one, else the organisation's rate for
the category on the day (a monthly charge is split where that rate changes). A
category without a rate on the day is a finding that holds the invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .components import QUANTITY_SHOWN, RatingError, VatRates, check_vat_rate
from .money import round_money, round_to
from .rating import Line, month_fraction
from .validation import BLOCK, Finding

if TYPE_CHECKING:
    from .billing import Charge, PeriodIn

MONTHLY = "monthly"
ONCE = "once"
MONTHLY_RULE = "fee per month × months (partial months by days)"
ONCE_RULE = "one-off item"
FINDING = "contract_charge_vat"
UNITS_BY_CODE = {"C62": "unit", "H87": "piece", "MON": "month", "DAY": "day"}


@dataclass(frozen=True)
class ContractChargeIn:
    """One ``premises.ContractCharge`` as the engine sees it, with the dates of
    its contract and the organisation's VAT schedule."""

    charge_id: int
    code: str
    description: str
    quantity: Decimal
    unit_code: str
    unit_price_net: Decimal  # per unit (per month for a monthly charge)
    vat_category: str
    vat_rate_percent: Decimal | None  # None: the schedule's rate on the day
    recurrence: str  # MONTHLY or ONCE
    valid_from: date
    valid_to: date | None
    contract_valid_from: date
    contract_valid_to: date | None
    currency: str
    vat_schedule: tuple[VatRates, ...] = ()
    # Categories E, AE, O: why no VAT is charged (BT-120, BT-121).
    vat_exemption_reason: str = ""
    vat_exemption_code: str = ""
    utility_code: str = ""


def add_contract_charges(
    charge: Charge, items: Sequence[ContractChargeIn], period: PeriodIn
) -> None:
    """Append the lines of ``items`` to ``charge``; an item whose VAT rate is not
    known adds a finding that holds the invoice instead."""
    for item in items:
        try:
            charge.lines += charge_lines(item, period)
        except RatingError as exc:
            charge.findings.append(
                Finding(
                    FINDING,
                    BLOCK,
                    f"contract {charge.contract_id}: charge {item.charge_id} "
                    f"({item.description}): {exc}",
                )
            )
    others = sorted({line.vat_category for line in charge.lines} - {"O"})
    if items and others and any(line.vat_category == "O" for line in charge.lines):
        # EN 16931 BR-O-11: an invoice with category O has no other category.
        charge.findings.append(
            Finding(
                FINDING,
                BLOCK,
                f"contract {charge.contract_id}: category O (outside the scope of "
                f"VAT) cannot share an invoice with {', '.join(others)} "
                "(EN 16931 BR-O-11)",
            )
        )


def charge_lines(item: ContractChargeIn, period: PeriodIn) -> list[Line]:
    """The item's lines for the period (none when it is not in force in it)."""
    if item.recurrence == ONCE:
        return [_once(item)]
    starts_on = max(period.starts_on, item.contract_valid_from, item.valid_from)
    ends_on = min(
        d for d in (period.ends_on, item.contract_valid_to, item.valid_to) if d
    )
    if starts_on > ends_on:
        return []
    whole = (period.starts_on, period.ends_on)
    return [
        _monthly(item, first, last, rate, (first, last) == whole)
        for first, last, rate in _vat_parts(item, starts_on, ends_on)
    ]


def _monthly(
    item: ContractChargeIn,
    starts_on: date,
    ends_on: date,
    rate: Decimal | None,
    whole: bool,
) -> Line:
    months = month_fraction(starts_on, ends_on)
    amount = item.quantity * item.unit_price_net * months
    description = item.description
    if not whole:
        description += f", {starts_on:%d.%m} – {ends_on:%d.%m.%Y}"
    return Line(
        item.utility_code,
        description[:200],
        round_to(item.quantity * months, QUANTITY_SHOWN),
        "month",
        "MON",
        item.unit_price_net,
        round_money(amount, item.currency),
        item.vat_category,
        rate if rate is not None else Decimal(0),
        _trace(
            item,
            MONTHLY_RULE,
            months=str(months),
            count=str(item.quantity),
            count_unit_code=item.unit_code,
            days=[starts_on.isoformat(), ends_on.isoformat()],
        ),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _once(item: ContractChargeIn) -> Line:
    rate = _rate_on(item, item.valid_from)
    return Line(
        item.utility_code,
        item.description[:200],
        item.quantity,
        UNITS_BY_CODE.get(item.unit_code, item.unit_code),
        item.unit_code,
        item.unit_price_net,
        round_money(item.quantity * item.unit_price_net, item.currency),
        item.vat_category,
        rate if rate is not None else Decimal(0),
        _trace(item, ONCE_RULE, due_on=item.valid_from.isoformat()),
    )


def _trace(item: ContractChargeIn, rule: str, **more: object) -> dict[str, object]:
    trace: dict[str, object] = {
        "contract_charge": {
            "id": item.charge_id,
            "code": item.code,
            "recurrence": item.recurrence,
            "unit_price_net": str(item.unit_price_net),
            "rule": rule,
            **more,
        },
        "vat_rate_from": "contract charge"
        if item.vat_rate_percent is not None
        else "organisation's VAT schedule",
    }
    if item.vat_exemption_reason or item.vat_exemption_code:
        # The e-invoice's VAT breakdown of the category states it (BR-E-10).
        trace["vat_exemption"] = {
            "category": item.vat_category,
            "reason": item.vat_exemption_reason,
            "code": item.vat_exemption_code,
        }
    return trace


def _vat_parts(
    item: ContractChargeIn, starts_on: date, ends_on: date
) -> list[tuple[date, date, Decimal | None]]:
    """starts_on..ends_on cut where the schedule's rate of the item's category
    changes, each part with its rate (one part for an explicit rate)."""
    if item.vat_rate_percent is not None:
        return [(starts_on, ends_on, _rate_on(item, starts_on))]
    cuts = [s.valid_from for s in item.vat_schedule if starts_on < s.valid_from]
    cuts = [d for d in cuts if d <= ends_on]
    parts: list[tuple[date, date, Decimal | None]] = []
    first = starts_on
    for cut in [*cuts, ends_on + timedelta(days=1)]:
        rate = _rate_on(item, first)
        if parts and parts[-1][2] == rate:
            parts[-1] = (parts[-1][0], cut - timedelta(days=1), rate)
        else:
            parts.append((first, cut - timedelta(days=1), rate))
        first = cut
    return parts


def _rate_on(item: ContractChargeIn, day: date) -> Decimal | None:
    """The item's VAT rate on ``day``; RatingError when the category has none."""
    if item.vat_rate_percent is not None:
        rate: Decimal | None = item.vat_rate_percent
    else:
        rates = [s for s in item.vat_schedule if s.valid_from <= day]
        if not rates or item.vat_category not in rates[-1].rates:
            raise RatingError(
                f"no VAT rate for category {item.vat_category} on {day}: enter "
                "the organisation's rate or give the charge its own"
            )
        rate = rates[-1].rates[item.vat_category]
    check_vat_rate(item.vat_category, rate)
    return rate
