"""Invoice actions over a whole period: advance invoices for many contracts, and
their settlement. Each contract is one transaction of its own (``issue_advance``,
``settle``): a contract that cannot be done is reported with the reason and the
others go ahead.

These run in the request for the few contracts an operator picks; a branch's whole
period is the work of a background job, which calls the same functions (and then
``documents.write_documents`` for the documents issued).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from meterbill.billing.models import Period
from meterbill.premises.models import Contract

from .advances import AdvanceError, billed_contracts, issue_advance, settle
from .corrections import OPEN
from .models import Invoice

K = Invoice.Kind


@dataclass(frozen=True)
class PeriodOutcome:
    """What a period-wide action did: the documents issued, and per contract it
    refused, why (the other contracts went ahead)."""

    issued: list[Invoice]
    refused: dict[str, str]


def advance_candidates(period: Period) -> QuerySet[Contract]:
    """Contracts of the period's branch subtree in force during the period that have
    no advance invoice for it yet, nor an invoice of its consumption in force (an
    advance would bill the period a second time, and could never be settled)."""
    has_advance = Invoice.objects.filter(
        contract=OuterRef("pk"), period=period, kind=K.ADVANCE
    ).exclude(state=Invoice.State.CANCELLED)
    billed = billed_contracts(period).filter(contract=OuterRef("pk"))
    return (
        Contract.objects.filter(
            branch__path__startswith=period.branch.path,
            valid_from__lte=period.ends_on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.starts_on))
        .exclude(Exists(has_advance))
        .exclude(Exists(billed))
        .select_related("customer", "apartment__residence")
        .order_by("number")
    )


def issue_advances(
    period: Period,
    contracts: Sequence[Contract],
    user: Any,
    temperatures: Mapping[date, Decimal],
    issue_date: date | None = None,
) -> PeriodOutcome:
    """``issue_advance`` for each contract, each in its own transaction: a contract
    without history is reported and the others are issued. The inputs are read per
    contract (a few queries each): for a whole branch this is a job for a worker."""
    issued, refused = [], {}
    for contract in contracts:
        try:
            issued.append(
                issue_advance(contract, period, user, temperatures, issue_date)
            )
        except AdvanceError as exc:
            refused[contract.number] = str(exc)
    return PeriodOutcome(issued, refused)


def open_advances(period: Period) -> QuerySet[Invoice]:
    """The period's advance invoices in force that no settlement has deducted."""
    return Invoice.objects.filter(
        period=period, kind=K.ADVANCE, state__in=OPEN, settled_by__isnull=True
    ).select_related("contract", "customer")


def settle_period(
    period: Period, user: Any, issue_date: date | None = None
) -> PeriodOutcome:
    """``settle`` every contract with an open advance in the period, each in its own
    transaction; a contract that cannot be settled yet is reported."""
    issued, refused = [], {}
    contract_ids = sorted(
        set(open_advances(period).values_list("contract_id", flat=True))
    )
    for contract in Contract.objects.filter(pk__in=contract_ids).order_by("number"):
        try:
            issued.append(settle(contract, period, user, issue_date))
        except AdvanceError as exc:
            refused[contract.number] = str(exc)
    return PeriodOutcome(issued, refused)
