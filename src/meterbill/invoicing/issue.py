"""Issuing invoices: numbers from a locked counter row, frozen parties and totals.

``issue_charges`` runs inside the caller's transaction: if the chunk fails, the numbers
it took are rolled back with its invoices, so the series has no gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from meterbill.dbbulk import insert_objects, insert_rows
from meterbill.engine.billing import Charge
from meterbill.engine.components import invoice_totals
from meterbill.engine.pricing import describe
from meterbill.engine.rating import Line
from meterbill.orgs.models import Branch, Organisation
from meterbill.premises.contract_charges import mark_billed
from meterbill.premises.models import Contract, Customer, Utility

from .models import Invoice, InvoiceLine, InvoiceSeries

PAYMENT_DAYS = 15
LINE_COLUMNS = (
    "invoice_id",
    "position",
    "utility_id",
    "description",
    "quantity",
    "unit",
    "unit_code",
    "unit_price_net",
    "net_amount",
    "vat_category",
    "vat_rate_percent",
    "trace",
    "starts_on",
    "ends_on",
)


@dataclass(frozen=True)
class IssueContext:
    branch: Branch
    organisation: Organisation
    period_id: int | None
    bill_run_id: int | None
    issue_date: date
    # Empty: the branch code, which is unique in the organisation, so that full
    # numbers never repeat for one seller (EU VAT Directive art. 226(2)).
    series_prefix: str = ""


def seller_snapshot(org: Organisation) -> dict[str, str]:
    return {
        "name": org.name,
        "vat_id": org.vat_id,
        "company_id": org.company_id,
        "street": org.street,
        "city": org.city,
        "postal_code": org.postal_code,
        "subdivision": org.subdivision,
        "country": org.country,
        "iban": org.iban,
        "bic": org.bic,
        "email": org.email,
    }


def buyer_snapshot(c: Customer) -> dict[str, str]:
    return {
        "code": c.code,
        "kind": c.kind,
        "name": c.name,
        "vat_id": c.vat_id,
        "company_id": c.company_id,
        "email": c.email,
        "language": c.language,
        "street": c.street,
        "city": c.city,
        "postal_code": c.postal_code,
        "subdivision": c.subdivision,
        "country": c.country,
    }


class SeriesClash(Exception):
    """Another branch of the organisation numbers with the same prefix."""


def _series(ctx: IssueContext) -> InvoiceSeries:
    prefix = ctx.series_prefix or ctx.branch.code
    clash = (
        InvoiceSeries.objects.filter(
            branch__organisation=ctx.organisation,
            prefix=prefix,
            year=ctx.issue_date.year,
        )
        .exclude(branch=ctx.branch)
        .exists()
    )
    if clash:
        raise SeriesClash(
            f"series prefix {prefix!r} is used by another branch of "
            f"{ctx.organisation.name}; invoice numbers must not repeat for one seller"
        )
    series, _ = InvoiceSeries.objects.get_or_create(
        branch=ctx.branch, prefix=prefix, year=ctx.issue_date.year
    )
    # The row lock serialises numbering across concurrent chunks and workers.
    return InvoiceSeries.objects.select_for_update().get(pk=series.pk)


def issue_charges(
    ctx: IssueContext,
    charges: Sequence[Charge],
    contracts: dict[int, Contract],
    customers: dict[int, Customer],
    key_prefix: str,
) -> list[Invoice]:
    """Issue one invoice per charge that has lines, is not held and has not been
    issued before (by idempotency key). Returns the invoices issued now."""
    keys = {c.contract_id: f"{key_prefix}:contract:{c.contract_id}" for c in charges}
    ready = [c for c in charges if c.lines and not c.held]
    if not ready:
        return []

    assert transaction.get_connection().in_atomic_block, "issue inside a transaction"
    # Lock the series first, then look for what was issued: a concurrent run of the
    # same period waits here and then finds the invoices the other one issued.
    series = _series(ctx)
    done = set(
        Invoice.objects.filter(idempotency_key__in=keys.values()).values_list(
            "idempotency_key", flat=True
        )
    )
    todo = [c for c in ready if keys[c.contract_id] not in done]
    if not todo:
        return []
    first = series.next_number
    series.next_number = first + len(todo)
    series.save(update_fields=["next_number"])

    seller = seller_snapshot(ctx.organisation)
    invoices = []
    for offset, charge in enumerate(todo):
        contract = contracts[charge.contract_id]
        customer = customers[contract.customer_id]
        currency = ctx.organisation.currency
        t = invoice_totals(charge.lines, currency)
        number = first + offset
        invoices.append(
            Invoice(
                branch=ctx.branch,
                kind=Invoice.Kind.INVOICE,
                state=Invoice.State.ISSUED,
                series=series,
                number=number,
                full_number=series.format(number),
                idempotency_key=keys[charge.contract_id],
                customer=customer,
                contract=contract,
                apartment_id=charge.apartment_id,
                period_id=ctx.period_id,
                bill_run_id=ctx.bill_run_id,
                issue_date=ctx.issue_date,
                due_date=ctx.issue_date + timedelta(days=PAYMENT_DAYS),
                currency=currency,
                total_net=t.tax_exclusive,
                total_vat=t.vat_total,
                total_gross=t.tax_inclusive,
                frozen={
                    "seller": seller,
                    "buyer": buyer_snapshot(customer),
                    "contract": contract.number,
                    "vat_breakdown": [
                        {
                            "category": g.category,
                            "rate_percent": _rate_text(g.rate_percent),
                            "base": str(g.taxable_amount),
                            "vat": str(g.tax_amount),
                        }
                        for g in t.vat_breakdown
                    ],
                },
            )
        )
    insert_objects(Invoice, invoices)
    # The keys, read back by the unique idempotency key (one query).
    ids = dict(
        Invoice.objects.filter(
            idempotency_key__in=[i.idempotency_key for i in invoices]
        ).values_list("idempotency_key", "pk")
    )
    for inv in invoices:
        inv.pk = ids[inv.idempotency_key]

    texts = _line_texts(todo, [inv.frozen["buyer"]["language"] for inv in invoices])
    utility_ids = dict(
        Utility.objects.filter(organisation=ctx.organisation).values_list("code", "pk")
    )
    insert_rows(
        InvoiceLine,
        LINE_COLUMNS,
        (
            (
                inv.pk,
                pos,
                utility_ids.get(line.utility_code),
                texts.get(id(line), line.description),
                line.quantity,
                line.unit,
                line.unit_code,
                line.unit_price_net,
                line.net_amount,
                line.vat_category,
                line.vat_rate_percent,
                {"utility": line.utility_code, **line.trace},
                line.starts_on,
                line.ends_on,
            )
            for inv, charge in zip(invoices, todo, strict=True)
            for pos, line in enumerate(charge.lines, start=1)
        ),
    )
    # One-off contract items are billed once: linked to the invoice that bills them.
    mark_billed((inv.pk, c.lines) for inv, c in zip(invoices, todo, strict=True))
    return invoices


def standard_words() -> dict[str, str]:
    """The words pricing adds to a line's text, in the active language."""
    return {
        "own": _("own meter"),
        "common": _("common consumption"),
        "settlement": _("settlement of an estimate"),
        "fixed": _("fixed charge"),
        "block": _("block %(number)s"),
        "forecast": _("advance (forecast)"),
        # a time-of-use or demand period of a tariff, counted from 1
        "period": _("period %(number)s"),
        # time-of-use lines' months, in Django's own catalogue
        **{f"month_{m}": str(name) for m, name in MONTHS.items()},
    }


def _line_texts(charges: Sequence[Charge], languages: Sequence[str]) -> dict[int, str]:
    """Each worded line's text in its customer's language, frozen at issue (by the
    line object's id); lines without wording keep their description."""
    words: dict[str, dict[str, str]] = {}
    out: dict[int, str] = {}
    for charge, language in zip(charges, languages, strict=True):
        for line in charge.lines:
            if line.wording is None:
                continue
            if language not in words:
                with translation.override(language or "en"):
                    words[language] = standard_words()
            out[id(line)] = _text(line, words[language], language)
    return out


def _text(line: Line, words: dict[str, str], language: str) -> str:
    return describe(line.wording, words, language)


def _rate_text(rate: Decimal | None) -> str:
    """A VAT rate as stored on lines (two decimals); category O's none as 0.00."""
    return str((rate or Decimal(0)).quantize(Decimal("0.01")))
