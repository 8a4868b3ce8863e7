"""The building's payment list: for a residence and a period, what each apartment
pays for each cost, as posted in the building's entrance.

One row per apartment (number, owner or customer, persons, area) and one column per
cost: a utility's own consumption, its common share, heat by allocators, fixed
charges. The amounts are the net amounts of the issued invoices' lines; each row's
VAT and total are its invoices' own VAT and total, so every column total is the sum of
its rows to the cent and the list's totals equal the invoices' totals.

Which documents count: issued (or sent, paid) invoices of the period; a cancelled
invoice and the credit note that cancelled it both drop out; a credit note correcting
an invoice still in force counts with a minus sign (credit notes carry positive
amounts, EN 16931 puts the sign in the document type). Advance invoices are not costs
and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string

from meterbill.billing.models import Period, ProviderBill
from meterbill.engine.money import round_money
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.invoicing.printing import natural_key
from meterbill.premises.models import Apartment, Residence

ZERO = Decimal("0.00")

# Line kinds in column order, with their labels.
KINDS = {
    "own": "own consumption",
    "norm": "by norm or estimate",
    "common": "common share",
    "heat": "by heat cost allocators",
    "cost": "share of the provider bill",
    "fixed": "fixed charge",
    "other": "other",
}

ColumnKey = tuple[str, str]  # (utility name, line kind)


def line_kind(trace: Mapping[str, Any]) -> str:
    """What a line bills, read from its trace (see ``engine.billing``)."""
    share = trace.get("share")
    rule = trace.get("distribution_rule")
    configured = isinstance(rule, Mapping) and rule.get("origin") != "default"
    if "allocators" in trace and not configured:
        return "heat"
    if isinstance(share, Mapping) and "cost" in share:
        return "cost"
    if "share" in trace:
        return "common"
    if "norm" in trace:
        return "norm"
    if "consumption" in trace:
        return "own"
    if "months" in trace:
        return "fixed"
    return "other"


def line_method(trace: Mapping[str, Any]) -> str:
    """The key and rule a line was computed by, in words."""
    share = trace.get("share")
    if isinstance(share, Mapping):
        return f"{share.get('key', '')}: {share.get('rule', '')}{_origin(trace)}"
    norm = trace.get("norm")
    if isinstance(norm, Mapping):
        return f"no working meter: {norm.get('basis', '')}{_origin(trace)}"
    tariff = trace.get("tariff")
    code = tariff.get("code", "") if isinstance(tariff, Mapping) else ""
    rule = trace.get("rule", "")
    return f"{rule} (tariff {code})" if code else str(rule)


def _origin(trace: Mapping[str, Any]) -> str:
    """Which stored distribution rule gave the split, if one did."""
    rule = trace.get("distribution_rule")
    if not isinstance(rule, Mapping) or rule.get("origin") in (None, "default"):
        return ""
    return f" (rule of the {rule['origin']} from {rule.get('valid_from', '')})"


@dataclass
class Column:
    key: ColumnKey
    label: str
    methods: list[str] = field(default_factory=list)
    total: Decimal = ZERO
    provider_bill: ProviderBill | None = None


@dataclass
class Row:
    apartment: Apartment
    payer: str
    invoices: list[str] = field(default_factory=list)
    amounts: dict[ColumnKey, Decimal] = field(default_factory=dict)
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO

    def cells(self, columns: Iterable[Column]) -> list[Decimal | None]:
        return [self.amounts.get(c.key) for c in columns]


@dataclass
class PaymentList:
    residence: Residence
    period: Period
    currency: str
    columns: list[Column]
    rows: list[Row]
    net: Decimal
    vat: Decimal
    gross: Decimal
    provider_bills: list[ProviderBill]


def counted_documents(residence: Residence, period: Period) -> list[Invoice]:
    """The residence's invoices and credit notes of the period that count (see the
    module docstring), with their lines and utilities: two queries."""
    lines = InvoiceLine.objects.select_related("utility").order_by("position")
    docs = (
        Invoice.objects.filter(period=period, apartment__residence=residence)
        .filter(kind__in=[Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE])
        .exclude(state__in=[Invoice.State.DRAFT, Invoice.State.CANCELLED])
        .select_related("customer", "corrects")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("number")
    )
    return [
        d
        for d in docs
        if not (
            d.kind == Invoice.Kind.CREDIT_NOTE
            and d.corrects is not None
            and d.corrects.state == Invoice.State.CANCELLED
        )
    ]


def build_payment_list(residence: Residence, period: Period) -> PaymentList:
    """The payment list of a residence for a period, from a few queries: the
    apartments, the documents with their lines, the provider bills."""
    apartments = list(residence.apartments.all())
    docs = counted_documents(residence, period)
    bills = list(
        ProviderBill.objects.filter(residence=residence, period=period)
        .select_related("utility", "provider")
        .order_by("utility__name")
    )

    rows: dict[int | None, Row] = {a.pk: Row(a, a.owner_name) for a in apartments}
    columns: dict[ColumnKey, Column] = {}
    for doc in docs:
        _add_document(rows[doc.apartment_id], columns, doc)
    ordered = sorted(
        columns.values(), key=lambda c: (c.key[0], list(KINDS).index(c.key[1]))
    )
    for col in ordered:
        col.total = sum((r.amounts.get(col.key, ZERO) for r in rows.values()), ZERO)
    _place_provider_bills(ordered, bills)

    row_list = sorted(
        rows.values(),
        key=lambda r: (
            natural_key(r.apartment.staircase),
            r.apartment.floor,
            natural_key(r.apartment.number),
        ),
    )
    currency = docs[0].currency if docs else residence.branch.organisation.currency
    return PaymentList(
        residence,
        period,
        currency,
        ordered,
        row_list,
        net=sum((r.net for r in row_list), ZERO),
        vat=sum((r.vat for r in row_list), ZERO),
        gross=sum((r.gross for r in row_list), ZERO),
        provider_bills=bills,
    )


def _add_document(row: Row, columns: dict[ColumnKey, Column], doc: Invoice) -> None:
    sign = -1 if doc.kind == Invoice.Kind.CREDIT_NOTE else 1
    row.invoices.append(doc.full_number)
    if not row.payer:
        row.payer = doc.customer.name
    for line in doc.lines.all():
        name = line.utility.name if line.utility else ""
        kind = line_kind(line.trace)
        key = (name, kind)
        col = columns.setdefault(key, Column(key, f"{name} – {KINDS[kind]}"))
        method = line_method(line.trace)
        if method and method not in col.methods:
            col.methods.append(method)
        row.amounts[key] = row.amounts.get(key, ZERO) + sign * line.net_amount
    row.net += sign * doc.total_net
    row.vat += sign * doc.total_vat
    row.gross += sign * doc.total_gross


def _place_provider_bills(columns: list[Column], bills: list[ProviderBill]) -> None:
    """A provider bill goes beside the cost it was distributed as: its share of
    the bill, heat by allocators, else the utility's common share, else its own
    consumption."""
    for bill in bills:
        mine = [c for c in columns if c.key[0] == bill.utility.name]
        for kind in ("cost", "heat", "common", "own"):
            match = [c for c in mine if c.key[1] == kind]
            if match:
                match[0].provider_bill = bill
                break


def provider_bill_amount(bill: ProviderBill) -> Decimal:
    return round_money(bill.amount_net, bill.currency)


def payment_list_context(plist: PaymentList) -> dict[str, Any]:
    return {
        "plist": plist,
        "rows": [{"row": r, "cells": r.cells(plist.columns)} for r in plist.rows],
        "provider_cells": [
            (provider_bill_amount(c.provider_bill), c.provider_bill)
            if c.provider_bill
            else None
            for c in plist.columns
        ],
        "has_provider_bills": any(c.provider_bill for c in plist.columns),
    }


def render_payment_list_html(plist: PaymentList) -> str:
    return render_to_string("billing/payment_list.html", payment_list_context(plist))


def write_payment_list_pdf(plist: PaymentList, out_dir: Path) -> Path:
    """The payment list as an A4 landscape PDF under ``out_dir``."""
    from meterbill.invoicing.documents import html_to_pdf

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / (f"payment-list-{plist.residence.code}-{plist.period.name}.pdf")
    path.write_bytes(html_to_pdf(render_payment_list_html(plist)))
    return path
