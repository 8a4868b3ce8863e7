"""Consumption history of contracts, read from their issued invoice lines: what the
invoice PDF's chart shows.

Per contract, utility and unit, the quantity billed for each period by the documents
in force: invoices (corrective invoices included) add, credit notes subtract; a
cancelled invoice and the credit note that cancelled it both drop out. Fixed charges
(unit code ``MON``), advance invoices and the advance deductions of a settlement
(lines without a utility) are not consumption. A period counts as estimated when a
line's trace used an estimate for a reading.

One query for all the invoices of a batch, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .models import Invoice, InvoiceLine

PERIODS = 12
# Twelve monthly periods back, with room for shorter or irregular ones.
LOOKBACK = timedelta(days=400)
S = Invoice.State
K = Invoice.Kind


@dataclass
class PeriodQuantity:
    period_id: int
    name: str
    ends_on: date
    quantity: Decimal = Decimal(0)
    estimated: bool = False


@dataclass
class UtilityHistory:
    utility: str  # the utility's name
    unit: str
    periods: list[PeriodQuantity] = field(default_factory=list)


def _estimated(trace: dict) -> bool:
    readings = list(trace.get("consumption", [])) + list(trace.get("allocators", []))
    return any(r.get("estimate") for r in readings if isinstance(r, dict))


def _lines(contract_ids: set[int], first: date, last: date) -> Iterable[Any]:
    return (
        InvoiceLine.objects.filter(
            invoice__contract_id__in=contract_ids,
            invoice__period__ends_on__gte=first,
            invoice__period__ends_on__lte=last,
            invoice__state__in=[S.ISSUED, S.SENT, S.PAID],
            invoice__kind__in=[K.INVOICE, K.CREDIT_NOTE],
            utility__isnull=False,
        )
        .exclude(unit_code="MON")
        .exclude(invoice__kind=K.CREDIT_NOTE, invoice__corrects__state=S.CANCELLED)
        .values(
            "invoice__contract_id",
            "invoice__kind",
            "invoice__period_id",
            "invoice__period__name",
            "invoice__period__ends_on",
            "utility__code",
            "utility__name",
            "unit",
            "quantity",
            "trace",
        )
        .order_by()
    )


def consumption_history(invoices: Iterable[Invoice]) -> dict[int, list[UtilityHistory]]:
    """For each invoice (by id) with a period, its contract's history per utility and
    unit over the last ``PERIODS`` periods up to and including the invoice's."""
    todo = [inv for inv in invoices if inv.period_id is not None and inv.period]
    if not todo:
        return {}
    ends = [inv.period.ends_on for inv in todo if inv.period]
    rows = _lines({inv.contract_id for inv in todo}, min(ends) - LOOKBACK, max(ends))

    # contract → (utility code, unit) → period id → quantity
    table: dict[int, dict[tuple[str, str], dict[int, PeriodQuantity]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    names: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row["utility__code"], row["unit"])
        names[key] = row["utility__name"]
        periods = table[row["invoice__contract_id"]][key]
        pq = periods.setdefault(
            row["invoice__period_id"],
            PeriodQuantity(
                row["invoice__period_id"],
                row["invoice__period__name"],
                row["invoice__period__ends_on"],
            ),
        )
        sign = -1 if row["invoice__kind"] == K.CREDIT_NOTE else 1
        pq.quantity += sign * row["quantity"]
        pq.estimated = pq.estimated or _estimated(row["trace"] or {})
    return {inv.pk: _for_invoice(inv, table[inv.contract_id], names) for inv in todo}


def _for_invoice(
    inv: Invoice,
    by_utility: dict[tuple[str, str], dict[int, PeriodQuantity]],
    names: dict[tuple[str, str], str],
) -> list[UtilityHistory]:
    assert inv.period is not None
    last = inv.period.ends_on
    out = []
    for key in sorted(by_utility):
        periods = sorted(
            (p for p in by_utility[key].values() if p.ends_on <= last),
            key=lambda p: p.ends_on,
        )[-PERIODS:]
        if periods:
            out.append(UtilityHistory(names[key], key[1], periods))
    return out
