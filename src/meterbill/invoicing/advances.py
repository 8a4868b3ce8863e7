"""Advance invoices from a weather-normalised forecast, and their settlement.

``issue_advance`` forecasts a contract's consumption for a coming period from its
meter history and daily mean temperatures (``engine.forecast``), prices it with the
contract's tariff components (``engine.pricing``) and issues an advance invoice
(EN 16931 type 386, a prepayment invoice) with VAT, as VAT on advance payments is
due when the advance is invoiced or paid (Directive 2006/112/EC, art. 65).

``settle`` bills the period's actual lines and deducts each advance with a negative
line per VAT group of the advance (quantity −1, the advance's taxable amount as the
positive unit price, its VAT category and rate). We do not use BT-113 (paid amount):
BT-113 is a gross amount outside the VAT breakdown, so the settlement would declare
the whole period's VAT again although the advance invoice already declared part of
it. Negative lines lower the taxable amount of the settlement to what was not yet
taxed; both forms pass EN 16931 (BR-27 forbids only a negative price, not a
negative quantity) and CIUS-RO, whose examples carry both.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from meterbill.audit import trail
from meterbill.billing import inputs
from meterbill.billing.models import Period
from meterbill.engine.billing import Charge, PeriodIn
from meterbill.engine.consumption import RegisterIn
from meterbill.engine.forecast import (
    CELSIUS_GRID,
    ForecastError,
    Usage,
    forecast,
)
from meterbill.engine.pricing import Item, ServiceTariff, describe, price_charge
from meterbill.engine.rating import Line
from meterbill.premises.models import Contract

from .corrections import OPEN, current_charge, issue_document
from .models import Invoice

ZERO = Decimal(0)
K = Invoice.Kind


class AdvanceError(Exception):
    """No advance can be issued or settled (no history, already billed, held)."""


def register_usages(register: RegisterIn) -> list[Usage]:
    """Consumption intervals from a register's actual (not estimated) readings: an
    index between two readings, or a consumption reading over its own interval.
    An index that went down (rollover, misread) gives no interval."""
    usable = [r for r in register.readings if r.status != "estimated"]
    out = []
    for prev, cur in itertools.pairwise(usable):
        if cur.kind == "consumption":
            continue
        delta = cur.value - prev.value
        if delta >= 0 and cur.read_on > prev.read_on:
            out.append(
                Usage(
                    prev.read_on + timedelta(days=1),
                    cur.read_on,
                    delta * register.multiplier,
                )
            )
    for r in usable:
        if r.kind == "consumption" and r.period_start and r.period_start <= r.read_on:
            out.append(Usage(r.period_start, r.read_on, r.value * register.multiplier))
    return out


def _inputs(
    contract: Contract, period: Period
) -> tuple[Mapping[str, ServiceTariff], Mapping[str, Sequence[RegisterIn]]]:
    if contract.apartment is not None:
        residence_id = contract.apartment.residence_id
        residences, _c = inputs.residences_input([residence_id], period)
        apt = next(
            a
            for a in residences[0].apartments
            if a.apartment_id == contract.apartment_id
        )
        if apt.contract_id != contract.pk:
            raise AdvanceError(f"contract {contract}: not in force in {period.name}")
        return apt.services, apt.meters
    _d, services, regs = inputs.direct_input([contract.pk], period)
    return services.get(contract.pk, {}), regs[contract.pk]


def advance_lines(
    contract: Contract,
    period: Period,
    temperatures: Mapping[date, Decimal],
    balance_points: Sequence[float] = CELSIUS_GRID,
) -> list[Line]:
    """The priced lines of an advance: each metered utility's forecast quantity
    rated with the tariff's components over the period, as the bill run rates an
    actual quantity (fixed charges included)."""
    services, meters = _inputs(contract, period)
    utilities = inputs.utilities_for(period.branch.organisation_id)
    charge = Charge(contract.pk, contract.apartment_id)
    for code in services:
        utility = utilities[code]
        registers = meters.get(code, ())
        if not registers:
            continue
        step = Decimal(1).scaleb(-utility.quantity_decimals)
        quantity = ZERO
        traces = []
        for reg in registers:
            try:
                f = forecast(
                    register_usages(reg),
                    temperatures,
                    period.starts_on,
                    period.ends_on,
                    step,
                    balance_points,
                )
            except ForecastError as exc:
                raise AdvanceError(
                    f"contract {contract}, meter {reg.meter_serial}: {exc}"
                ) from exc
            quantity += f.quantity
            traces.append({"register": reg.register_id, **f.trace})
        charge.items.append(
            Item(
                code,
                "own",
                f"{utility.name} – advance {period.name} (forecast)",
                quantity,
                utility.unit,
                utility.unit_code,
                {"forecast": traces},
            )
        )
    if not charge.items:
        raise AdvanceError(f"contract {contract}: no metered service to forecast")
    pin = PeriodIn(period.starts_on, period.ends_on, period.name)
    price_charge(charge, services, utilities, pin)
    if charge.findings:
        raise AdvanceError(
            f"contract {contract}: {'; '.join(f.message for f in charge.findings)}"
        )
    for line in charge.lines:
        if line.wording is not None and line.wording.suffix == "own":
            # A forecast, not what the meter measured.
            line.wording = replace(line.wording, suffix="forecast")
            line.description = describe(line.wording, {})
    return charge.lines


def issue_advance(
    contract: Contract,
    period: Period,
    user: Any,
    temperatures: Mapping[date, Decimal],
    issue_date: date | None = None,
    balance_points: Sequence[float] = CELSIUS_GRID,
) -> Invoice:
    """Issue (once per contract and period) the advance invoice for ``period``;
    ``temperatures`` are daily means over the history and its calendar days."""
    billed = billed_contracts(period).filter(contract=contract).first()
    if billed is not None:
        raise AdvanceError(
            f"contract {contract}: period {period.name} is already billed by "
            f"invoice {billed}; an advance would bill it a second time"
        )
    lines = advance_lines(contract, period, temperatures, balance_points)
    with transaction.atomic():
        adv = issue_document(
            period.branch_id,
            contract,
            period.pk,
            lines,
            f"advance:period:{period.pk}",
            issue_date or timezone.localdate(),
        )
        if adv.kind != K.ADVANCE:
            adv.kind = K.ADVANCE
            adv.save(update_fields=["kind"])
            trail.record(
                "invoice.advance_issued",
                user=user,
                branch=adv.branch,
                obj=adv,
                after={
                    "number": adv.full_number,
                    "period": period.name,
                    "total_gross": str(adv.total_gross),
                },
            )
    return adv


def billed_contracts(period: Period) -> QuerySet[Invoice]:
    """The invoices in force that bill ``period``'s consumption (the bill run's,
    a settlement's, a rebill's or a correction's): their contracts get no advance
    for the period."""
    return Invoice.objects.filter(period=period, kind=K.INVOICE, state__in=OPEN)


def deduction_lines(advances: Sequence[Invoice]) -> list[Line]:
    """One negative line per advance and VAT group: −1 × the group's taxable amount."""
    lines = []
    for adv in advances:
        for group in adv.frozen.get("vat_breakdown", []):
            base = Decimal(group["base"])
            lines.append(
                Line(
                    "",
                    f"Advance invoice {adv.full_number} of {adv.issue_date} – deducted",
                    Decimal(-1),
                    "advance",
                    "C62",
                    base,
                    -base,
                    group["category"],
                    Decimal(group["rate_percent"]),
                    {
                        "advance": {
                            "invoice": adv.pk,
                            "number": adv.full_number,
                            "vat": group["vat"],
                            "rule": "advance deducted by a negative line per VAT "
                            "group (taxable amount), see invoicing.advances",
                        }
                    },
                )
            )
    return lines


def settle(
    contract: Contract, period: Period, user: Any, issue_date: date | None = None
) -> Invoice:
    """The settlement invoice of ``period``: the actual lines from the engine minus
    the period's advances. It takes the bill run's idempotency key for the contract
    and period, so the bill run does not bill the contract a second time; a period
    the bill run has already invoiced for the contract is refused."""
    key = f"period:{period.pk}"
    with transaction.atomic():
        existing = Invoice.objects.filter(
            idempotency_key=f"{key}:contract:{contract.pk}"
        ).first()
        if existing is not None:
            if existing.settled_advances.exists():
                return existing
            raise AdvanceError(
                f"contract {contract}: period {period.name} is already billed by "
                f"invoice {existing}; cancel it before settling the advances"
            )
        advances = list(
            Invoice.objects.select_for_update()
            .filter(
                contract=contract,
                period=period,
                kind=K.ADVANCE,
                state__in=OPEN,
                settled_by__isnull=True,
            )
            .order_by("pk")
        )
        if not advances:
            raise AdvanceError(
                f"contract {contract}: no open advance invoice for {period.name}; "
                "the bill run invoices the period"
            )
        charge = current_charge(contract, period)
        if charge.held or not charge.lines:
            raise AdvanceError(
                f"contract {contract}: period {period.name} has no billable actual "
                "lines (held for review or no readings)"
            )
        lines = charge.lines + deduction_lines(advances)
        settlement = issue_document(
            period.branch_id,
            contract,
            period.pk,
            lines,
            key,
            issue_date or timezone.localdate(),
        )
        Invoice.objects.filter(pk__in=[a.pk for a in advances]).update(
            settled_by=settlement
        )
        trail.record(
            "invoice.settled",
            user=user,
            branch=settlement.branch,
            obj=settlement,
            after={
                "number": settlement.full_number,
                "advances": [a.full_number for a in advances],
                "total_gross": str(settlement.total_gross),
            },
        )
    return settlement
