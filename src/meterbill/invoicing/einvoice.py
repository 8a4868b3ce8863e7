"""From an issued invoice to the EN 16931 model, and on to UBL 2.1 or CII.

Everything comes from what was frozen at issue (parties, totals) and the invoice lines,
never from the live customer record, so a document written later says what was issued.
"""

from __future__ import annotations

from meterbill.formats.einvoice import model as en
from meterbill.formats.einvoice.cii import write_cii
from meterbill.formats.einvoice.ubl import write_ubl

from .models import Invoice

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


def to_document(inv: Invoice) -> en.Document:
    seller = inv.frozen["seller"]
    lines = tuple(
        en.Line(
            id=str(ln.position),
            quantity=ln.quantity,
            unit_code=ln.unit_code,
            net_price=ln.unit_price_net,
            net_amount=ln.net_amount,
            item_name=ln.description,
            vat_category=ln.vat_category,
            vat_rate=ln.vat_rate_percent,
        )
        for ln in sorted(inv.lines.all(), key=lambda ln: ln.position)
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
