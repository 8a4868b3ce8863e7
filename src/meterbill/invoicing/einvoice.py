"""From an issued invoice to the EN 16931 model, and on to UBL 2.1 or CII.

Everything comes from what was frozen at issue (parties, totals) and the invoice lines,
never from the live customer record, so a document written later says what was issued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from meterbill.engine.billing import Charge
from meterbill.engine.validation import BLOCK, Finding
from meterbill.formats.einvoice import model as en
from meterbill.formats.einvoice.cii import write_cii
from meterbill.formats.einvoice.ubl import write_ubl
from meterbill.tariffs.compile import EXEMPT_CATEGORIES, vat_exemptions

from .models import Invoice, InvoiceLine

# The finding that holds an invoice whose e-invoice would lack an exemption reason.
EXEMPTION_MISSING = "vat_exemption_missing"

TYPE_CODES = {
    Invoice.Kind.INVOICE: en.INVOICE,
    Invoice.Kind.CREDIT_NOTE: en.CREDIT_NOTE,
    Invoice.Kind.ADVANCE: en.PREPAYMENT_INVOICE,
}


def _party(p: dict[str, str], default_country: str) -> en.Party:
    country = p.get("country") or default_country
    return en.Party(
        name=p["name"],
        address=en.Address(
            street=p.get("street", ""),
            city=p.get("city", ""),
            postal_code=p.get("postal_code", ""),
            subdivision=p.get("subdivision", ""),
            country_code=country,
        ),
        vat_id=p.get("vat_id", ""),
        legal_id=p.get("company_id", ""),
        email=p.get("email", ""),
    )


def _exemptions(
    rows: Iterable[tuple[str, Any]], in_force: Mapping[str, tuple[str, str]]
) -> tuple[en.VatExemption, ...]:
    """BT-120/BT-121 per category of E, AE and O among ``rows`` (category, trace):
    a line's own (a contract charge's ``vat_exemption`` trace; the first line of a
    category wins), else the organisation's VatRate reason ``in_force``
    (``tariffs.compile.vat_exemptions``). A category with neither is left out."""
    found: dict[str, en.VatExemption] = {}
    categories = set()
    for category, trace in rows:
        categories.add(category)
        e = trace.get("vat_exemption") if isinstance(trace, dict) else None
        if isinstance(e, dict) and e.get("category") not in found:
            found[e["category"]] = en.VatExemption(
                e["category"], e.get("reason", ""), e.get("code", "")
            )
    for category in sorted((categories & EXEMPT_CATEGORIES) - set(found)):
        if category in in_force:
            reason, code = in_force[category]
            found[category] = en.VatExemption(category, reason, code)
    return tuple(found.values())


def exemption_gaps(
    rows: Iterable[tuple[str, Any]], in_force: Mapping[str, tuple[str, str]]
) -> list[str]:
    """The categories of E, AE and O among ``rows`` (category, trace) that would
    have no exemption reason in the e-invoice (EN 16931 BR-E-10, BR-AE-10,
    BR-O-10), sorted."""
    rows = list(rows)
    stated = {e.category for e in _exemptions(rows, in_force)}
    return sorted(({category for category, _t in rows} & EXEMPT_CATEGORIES) - stated)


def hold_without_vat_exemption(
    charges: Sequence[Charge], organisation_id: int, on: date
) -> int:
    """Hold each charge whose invoice, issued ``on``, would carry a category E, AE
    or O with no exemption reason from its lines nor from the organisation's VAT
    schedule: it gets a blocking ``vat_exemption_missing`` finding instead of an
    e-invoice that fails the schematron. Returns how many were held; one query."""
    in_force = vat_exemptions(organisation_id, on)
    held = 0
    for charge in charges:
        gaps = exemption_gaps(
            ((line.vat_category, line.trace) for line in charge.lines), in_force
        )
        if not gaps:
            continue
        held += 1
        charge.findings.append(
            Finding(
                EXEMPTION_MISSING,
                BLOCK,
                f"contract {charge.contract_id}: VAT category {', '.join(gaps)} "
                f"has no exemption reason on {on}; give one on the VAT schedule "
                "(or the contract charge), then bill the period again",
            )
        )
    return held


def _in_force(inv: Invoice, rows: Sequence[InvoiceLine]) -> dict[str, tuple[str, str]]:
    """The organisation's exemption reasons on the invoice's date, looked up only
    for an invoice with a line in E, AE or O (a VatRate an issued invoice may have
    used cannot be edited, so a document written later says the same)."""
    if (
        inv.issue_date is None
        or not {ln.vat_category for ln in rows} & EXEMPT_CATEGORIES
    ):
        return {}
    return vat_exemptions(inv.branch.organisation_id, inv.issue_date)


def exemptions_of(
    inv: Invoice, rows: Sequence[InvoiceLine]
) -> dict[str, en.VatExemption]:
    """BT-120/BT-121 by VAT category, as the invoice's e-invoice states them: the
    PDF prints the same reasons (VAT Directive art. 226(11))."""
    found = _exemptions(
        ((ln.vat_category, ln.trace) for ln in rows), _in_force(inv, rows)
    )
    return {e.category: e for e in found}


def to_document(inv: Invoice) -> en.Document:
    seller = inv.frozen["seller"]
    rows = sorted(inv.lines.all(), key=lambda ln: ln.position)
    lines = tuple(
        en.Line(
            id=str(ln.position),
            quantity=ln.quantity,
            unit_code=ln.unit_code,
            net_price=ln.unit_price_net,
            net_amount=ln.net_amount,
            item_name=ln.description,
            vat_category=ln.vat_category,
            # Stored as 0.00; category O has no rate at all (BR-O-05).
            vat_rate=None if ln.vat_category == "O" else ln.vat_rate_percent,
        )
        for ln in rows
    )
    preceding: tuple[en.PrecedingInvoice, ...] = ()
    if inv.corrects_id and inv.corrects:
        preceding = (
            en.PrecedingInvoice(inv.corrects.full_number, inv.corrects.issue_date),
        )
    assert inv.issue_date is not None, "only issued invoices have documents"
    return en.Document(
        number=inv.full_number,
        issue_date=inv.issue_date,
        type_code=TYPE_CODES[inv.kind],  # type: ignore[index]
        currency=inv.currency,
        seller=_party(seller, seller.get("country", "")),
        buyer=_party(inv.frozen["buyer"], seller.get("country", "")),
        lines=lines,
        due_date=inv.due_date,
        buyer_reference=inv.frozen.get("contract", ""),
        period_start=inv.period.starts_on if inv.period else None,
        period_end=inv.period.ends_on if inv.period else None,
        preceding_invoices=preceding,
        vat_exemptions=_exemptions(
            ((ln.vat_category, ln.trace) for ln in rows), _in_force(inv, rows)
        ),
        payment=en.PaymentInstructions(
            means_code="30",
            iban=seller.get("iban", ""),
            bic=seller.get("bic", ""),
            remittance_info=inv.full_number,
        )
        if seller.get("iban")
        else None,
    )


def profile_for(inv: Invoice) -> str:
    """CIUS-RO for a Romanian seller (e-Factura), the plain EN 16931 core otherwise."""
    return "cius-ro" if inv.frozen["seller"].get("country") == "RO" else "en16931"


def invoice_xml(inv: Invoice) -> bytes:
    return write_ubl(to_document(inv), profile=profile_for(inv))


def invoice_cii(inv: Invoice) -> bytes:
    return write_cii(to_document(inv))
