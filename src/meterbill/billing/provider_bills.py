"""Provider bills: entered by hand, or read from the provider's EN 16931 invoice.

``read_provider_invoice`` reads a UBL or CII file with ``formats.einvoice`` and
derives what a provider bill needs (quantity, net amount, VAT rate, currency), for
the operator to confirm; ``save_provider_bill`` stores a bill (with the file it came
from, kept under ``var/provider-bills/``) and records it in the audit trail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import is_currency
from django.conf import settings
from django.db import models, transaction

from meterbill.audit import trail
from meterbill.engine.components import RatingError, check_vat_rate
from meterbill.engine.stored_decimal import column_fault
from meterbill.formats.einvoice.model import Document, Line
from meterbill.formats.einvoice.read import read_invoice
from meterbill.formats.einvoice.totals_rules import check_stated_totals
from meterbill.formats.errors import InvalidFormat
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import STANDING
from meterbill.premises.models import Provider, Residence, Utility

from .models import Period, ProviderBill

# A provider's invoice is a few hundred kilobytes at most.
MAX_FILE_BYTES = 5 * 1024 * 1024
ZERO = Decimal(0)
# EN 16931 rules whose stated totals make the total without VAT (BT-109) that a
# bill distributes: BT-106 = Σ line net amounts, BT-107, BT-108, BT-109.
NET_TOTAL_RULES = ("BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13")
# Where the bill's numbers come from in the provider's invoice.
SOURCE_TERMS = {
    "quantity": "BT-129 invoiced quantity (sum of the lines)",
    "amount_net": "BT-109 total without VAT",
    "vat_rate_percent": "BT-152 VAT rate",
}


class ProviderBillRefused(ValueError):
    """The bill cannot be stored; the message names the field or the file."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InvoiceLineRow:
    id: str
    name: str
    quantity: Decimal
    unit_code: str
    net_price: Decimal
    net_amount: Decimal
    vat_rate: Decimal | None


@dataclass(frozen=True)
class ProviderInvoice:
    """What a provider's electronic invoice gives a provider bill."""

    number: str
    issue_date: str
    seller: str
    seller_vat_id: str
    currency: str
    lines: tuple[InvoiceLineRow, ...]
    quantity: Decimal  # Σ line quantities in the utility's unit (else all lines)
    amount_net: Decimal  # BT-109, the total without VAT
    vat_rate_percent: Decimal
    sha256: str


def provider_bill_dir() -> Path:
    return Path(settings.VAR_DIR) / "provider-bills"


def read_provider_invoice(
    data: bytes, filename: str, utility: Utility
) -> ProviderInvoice:
    """Read the file and derive the bill; ``InvalidFormat`` names the file and the
    element, ``ProviderBillRefused`` what the invoice lacks."""
    if len(data) > MAX_FILE_BYTES:
        raise ProviderBillRefused("file", f"{filename}: larger than 5 MiB")
    doc = read_invoice(data, filename)
    if doc.is_credit_note:
        raise ProviderBillRefused("file", f"{filename}: a credit note, not an invoice")
    if not doc.lines:
        raise ProviderBillRefused("file", f"{filename}: the invoice has no lines")
    currency = utility.organisation.currency
    if doc.currency != currency:
        raise ProviderBillRefused(
            "file",
            f"{filename}: BT-5 currency {doc.currency}; bills are distributed in "
            f"{currency}, the organisation's currency: enter the bill by hand in "
            f"{currency}",
        )
    rate = _single_rate(doc, filename)
    _check_line_numbers(doc, filename)
    invoice = ProviderInvoice(
        number=doc.number,
        issue_date=doc.issue_date.isoformat(),
        seller=doc.seller.name,
        seller_vat_id=doc.seller.vat_id,
        currency=doc.currency,
        lines=tuple(_row(line) for line in doc.lines),
        quantity=_quantity(doc, utility),
        amount_net=_net(doc),
        vat_rate_percent=rate,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    for name, term in SOURCE_TERMS.items():
        value = getattr(invoice, name)
        fault = column_fault(value, _column(name))
        if fault is not None:
            raise ProviderBillRefused("file", f"{filename}: {term} {value}: {fault}")
    _check_net_total(doc, filename)
    return invoice


def _check_line_numbers(doc: Document, filename: str) -> None:
    """Each line's quantity and net amount must fit the bill's columns (their sums
    are what the bill stores)."""
    for line in doc.lines:
        for name, term, value in (
            ("quantity", "BT-129 invoiced quantity", line.quantity),
            ("amount_net", "BT-131 net amount", line.net_amount),
        ):
            fault = column_fault(value, _column(name))
            if fault is not None:
                raise ProviderBillRefused(
                    "file", f"{filename}: line {line.id}: {term} {value}: {fault}"
                )


def _single_rate(doc: Document, filename: str) -> Decimal:
    """The one VAT rate of the lines, each line's category and rate checked against
    EN 16931 (BR-S-05, BR-Z-05, BR-E-05, BR-AE-05, BR-O-05); category O (not
    subject to VAT) is billed at 0 % and cannot share an invoice with another
    category (BR-O-11, BR-O-12)."""
    for line in doc.lines:
        _check_line_vat(line, filename)
    categories = {line.vat_category for line in doc.lines}
    if "O" in categories and len(categories) > 1:
        raise ProviderBillRefused(
            "file",
            f"{filename}: lines not subject to VAT (category O) together with "
            f"other VAT categories, which EN 16931 forbids (BR-O-11, BR-O-12)",
        )
    rates = sorted({line.vat_rate or ZERO for line in doc.lines})
    if len(rates) != 1:
        shown = ", ".join(f"{rate.normalize():f} %" for rate in rates)
        raise ProviderBillRefused(
            "file",
            f"{filename}: lines with several VAT rates ({shown}); enter the bill "
            f"by hand",
        )
    return rates[0]


def _check_line_vat(line: Line, filename: str) -> None:
    try:
        check_vat_rate(line.vat_category, line.vat_rate)
    except RatingError:
        rule = f"BR-{line.vat_category}-05"
        rate = "no rate" if line.vat_rate is None else f"rate {line.vat_rate} %"
        raise ProviderBillRefused(
            "file",
            f"{filename}: line {line.id}: VAT category {line.vat_category} with "
            f"{rate}, which EN 16931 forbids ({rule}: S above 0 %, Z, E and AE "
            f"0 %, O no rate)",
        ) from None


def _check_net_total(doc: Document, filename: str) -> None:
    """The stated total without VAT must be what the lines give (EN 16931
    BR-CO-10 to BR-CO-13, exact once rounded to the currency): it is the amount
    distributed."""
    try:
        findings = check_stated_totals(doc)
    except ArithmeticError:
        raise ProviderBillRefused(
            "file", f"{filename}: the stated totals (BG-22) are out of range"
        ) from None
    wrong = [
        finding
        for finding in findings
        if finding.rule in NET_TOTAL_RULES and not finding.within_tolerance
    ]
    if wrong:
        shown = "; ".join(str(finding) for finding in wrong)
        raise ProviderBillRefused(
            "file", f"{filename}: the stated totals disagree with the lines: {shown}"
        )


def _row(line: Any) -> InvoiceLineRow:
    return InvoiceLineRow(
        line.id,
        line.item_name,
        line.quantity,
        line.unit_code,
        line.net_price,
        line.net_amount,
        line.vat_rate,
    )


def _quantity(doc: Document, utility: Utility) -> Decimal:
    mine = [ln.quantity for ln in doc.lines if ln.unit_code == utility.unit_code]
    return sum(mine or [ln.quantity for ln in doc.lines], ZERO)


def _net(doc: Document) -> Decimal:
    if doc.stated_totals is not None:
        return doc.stated_totals.tax_exclusive
    return sum((ln.net_amount for ln in doc.lines), ZERO)


def keep_file(data: bytes) -> str:
    """Store the uploaded file by its SHA-256; returns the path under the folder."""
    name = f"{hashlib.sha256(data).hexdigest()}.xml"
    folder = provider_bill_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_bytes(data)
    return name


def kept_file(name: str) -> bytes:
    """A kept file by the name ``keep_file`` gave; ``ProviderBillRefused`` if the
    name is not one (a bare SHA-256 and ``.xml``)."""
    stem, _dot, ext = name.partition(".")
    if (
        len(stem) != 64
        or any(c not in "0123456789abcdef" for c in stem)
        or ext != "xml"
    ):
        raise ProviderBillRefused("file", "unknown file")
    path = provider_bill_dir() / name
    if not path.is_file():
        raise ProviderBillRefused("file", "the uploaded file is no longer there")
    return path.read_bytes()


@transaction.atomic
def save_provider_bill(
    *,
    residence: Residence,
    period: Period,
    utility: Utility,
    provider: Provider,
    quantity: Decimal,
    amount_net: Decimal,
    vat_rate_percent: Decimal,
    currency: str,
    reference: str = "",
    source_file: str = "",
    user: Any = None,
) -> ProviderBill:
    """Create or replace the residence's bill of a utility for a period.

    Refused (``ProviderBillRefused`` naming the field) when the numbers do not fit
    the bill's columns, the amount is negative, the currency is not the
    organisation's, or standing invoices of the period were issued from the bill
    the residence has: those are corrected, not re-split (docs/allocation.md)."""
    if period.branch_id != residence.branch_id:
        raise ProviderBillRefused("period", "belongs to another branch")
    if period.state in (Period.State.CLOSED, Period.State.ARCHIVED):
        raise ProviderBillRefused("period", f"period {period.name} is {period.state}")
    numbers = {
        "quantity": quantity,
        "amount_net": amount_net,
        "vat_rate_percent": vat_rate_percent,
    }
    numbers = {name: _fitted(name, value) for name, value in numbers.items()}
    if numbers["quantity"] < 0:
        raise ProviderBillRefused("quantity", "must not be negative")
    if numbers["amount_net"] < 0:
        raise ProviderBillRefused(
            "amount_net",
            "must not be negative: a credit from the provider corrects the bill it "
            "belongs to; enter that bill again with the amount net of the credit",
        )
    if not 0 <= numbers["vat_rate_percent"] <= 100:
        raise ProviderBillRefused("vat_rate_percent", "must be between 0 and 100")
    currency = _checked_currency(currency, residence)
    _check_not_invoiced(residence, period)
    row = (
        ProviderBill.objects.select_for_update()
        .filter(residence=residence, period=period, utility=utility)
        .first()
    )
    before = _state(row) if row else None
    row = row or ProviderBill(residence=residence, period=period, utility=utility)
    row.provider = provider
    row.reference = reference[:64]
    row.quantity, row.amount_net = numbers["quantity"], numbers["amount_net"]
    row.vat_rate_percent, row.currency = numbers["vat_rate_percent"], currency
    row.source_file = source_file
    row.source_sha256 = source_file.partition(".")[0] if source_file else ""
    row.save()
    trail.record(
        "provider_bill.save",
        user=user,
        branch=residence.branch,
        obj=row,
        before=before,
        after=_state(row),
    )
    return row


def _fitted(name: str, value: Decimal) -> Decimal:
    """``value`` as the column stores it (its decimal places), or refused when the
    column cannot hold it and give it back unchanged (engine.stored_decimal)."""
    column = _column(name)
    fault = column_fault(value, column)
    if fault is not None:
        raise ProviderBillRefused(name, str(fault))
    return value.quantize(Decimal(1).scaleb(-(column.decimal_places or 0)))


def _column(name: str) -> models.DecimalField:
    column = ProviderBill._meta.get_field(name)
    assert isinstance(column, models.DecimalField)
    return column


def _checked_currency(currency: str, residence: Residence) -> str:
    """An ISO 4217 code, the organisation's: the bill run splits the amount as an
    amount of the invoices' currency (no exchange rates)."""
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha() or not is_currency(code):
        raise ProviderBillRefused("currency", f"{currency!r} is not an ISO 4217 code")
    own = residence.branch.organisation.currency
    if code != own:
        raise ProviderBillRefused(
            "currency",
            f"{code}: bills are distributed in {own}, the organisation's currency; "
            f"enter the amount converted to {own}",
        )
    return code


def _check_not_invoiced(residence: Residence, period: Period) -> None:
    """Refuse a change once a standing invoice of the period bills an apartment of
    the residence: the issued shares came from the bill as it is."""
    issued = (
        Invoice.objects.filter(
            state__in=STANDING, period=period, apartment__residence=residence
        )
        .order_by("pk")
        .values_list("full_number", flat=True)
        .first()
    )
    if issued is not None:
        raise ProviderBillRefused(
            "period",
            f"invoices of {period.name} for {residence.code} are issued from the "
            f"bill as it is (e.g. {issued}); a change after invoicing goes through "
            f"a correction: cancel or credit those invoices first, then enter the "
            f"bill again",
        )


def _state(row: ProviderBill) -> dict[str, Any]:
    return {
        "residence": row.residence_id,
        "period": row.period_id,
        "utility": row.utility_id,
        "provider": row.provider_id,
        "reference": row.reference,
        "quantity": str(row.quantity),
        "amount_net": str(row.amount_net),
        "vat_rate_percent": str(row.vat_rate_percent),
        "currency": row.currency,
        "source_file": row.source_file,
    }


__all__ = [
    "InvalidFormat",
    "ProviderBillRefused",
    "ProviderInvoice",
    "keep_file",
    "kept_file",
    "read_provider_invoice",
    "save_provider_bill",
]
