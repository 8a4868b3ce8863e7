"""EN 16931 in UBL 2.1 syntax (the CEN/TS 16931-3-2 binding), Invoice or CreditNote.

Profiles: plain EN 16931, CIUS-RO (Romanian e-Factura, RO_CIUS 1.0.1) and Peppol
BIS Billing 3.0. Totals and VAT breakdown always come from ``compute_totals``.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

from lxml import etree

from meterbill.formats.einvoice._xml import Element, iso, opt, serialize, sub, text
from meterbill.formats.einvoice.model import (
    AllowanceCharge,
    Document,
    Line,
    Party,
    compute_totals,
)

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

CAC = f"{{{NS_CAC}}}"
CBC = f"{{{NS_CBC}}}"

EN16931 = "urn:cen.eu:en16931:2017"
PROFILES = {
    # profile: (BT-24 specification identifier, BT-23 business process or "")
    "en16931": (EN16931, ""),
    "cius-ro": (f"{EN16931}#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1", ""),
    "peppol": (
        f"{EN16931}#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
    ),
}

_SECTOR = re.compile(r"^\s*sector(?:ul)?\s*([1-6])\s*$", re.IGNORECASE)
_BUCHAREST = {"B", "RO-B", "BUCURESTI", "BUCUREȘTI", "BUCHAREST"}


def ro_address(party: Party) -> Party:
    """Bind a Romanian address the way CIUS-RO wants it.

    BR-RO-110/111: the subdivision (BT-39/54) is an ISO 3166-2:RO code (``RO-CJ``);
    for Bucharest (``RO-B``) the city (BT-37/52) is the sector, ``SECTOR1`` to
    ``SECTOR6``. Accepts ``CJ``, ``B``, ``Bucuresti`` and ``Sector 3``/``Sectorul 3``,
    as the city or as the subdivision (a sector is only ever in Bucharest).
    Raises ValueError for a Bucharest address that names no sector.
    """
    addr = party.address
    if addr.country_code != "RO":
        return party
    sub_code = addr.subdivision.strip().upper()
    city = addr.city
    sector = _SECTOR.match(addr.subdivision)
    if sector:
        sub_code, city = "RO-B", f"SECTOR{sector.group(1)}"
    elif sub_code in _BUCHAREST:
        sub_code = "RO-B"
        match = _SECTOR.match(city.replace("SECTOR", "SECTOR "))
        if not match:
            raise ValueError(
                f"CIUS-RO: Bucharest address of {party.name!r} needs a sector "
                f"(SECTOR1..SECTOR6) as city, not {city!r}"
            )
        city = f"SECTOR{match.group(1)}"
    elif sub_code and not sub_code.startswith("RO-"):
        sub_code = f"RO-{sub_code}"
    address = dataclasses.replace(addr, subdivision=sub_code, city=city)
    return dataclasses.replace(party, address=address)


def write_ubl(doc: Document, profile: str = "en16931") -> bytes:
    """The document as a UBL 2.1 Invoice, or CreditNote for type code 381."""
    if profile not in PROFILES:
        raise ValueError(f"unknown UBL profile {profile!r}")
    if profile == "cius-ro":
        doc = dataclasses.replace(
            doc, seller=ro_address(doc.seller), buyer=ro_address(doc.buyer)
        )
    credit = doc.is_credit_note
    root_ns = NS_CREDIT_NOTE if credit else NS_INVOICE
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: root_ns, "cac": NS_CAC, "cbc": NS_CBC},
    )
    _header(root, doc, profile)
    _party(sub(root, CAC + "AccountingSupplierParty"), doc.seller)
    _party(sub(root, CAC + "AccountingCustomerParty"), doc.buyer)
    # Invoice and CreditNote order these alike as long as no exchange rate is written.
    _payment(root, doc)
    for ac in doc.allowances_charges:
        _allowance_charge(root, ac, doc.currency)
    _totals(root, doc)
    for line in doc.lines:
        _line(root, line, doc.currency, credit)
    return serialize(root)


def _header(root: Element, doc: Document, profile: str) -> None:
    customization, process = PROFILES[profile]
    sub(root, CBC + "CustomizationID", customization)
    opt(root, CBC + "ProfileID", process)
    sub(root, CBC + "ID", doc.number)
    sub(root, CBC + "IssueDate", iso(doc.issue_date))
    if doc.is_credit_note:
        if doc.tax_point_date:
            sub(root, CBC + "TaxPointDate", iso(doc.tax_point_date))
        sub(root, CBC + "CreditNoteTypeCode", doc.type_code)
        for note in doc.notes:
            sub(root, CBC + "Note", note)
    else:
        if doc.due_date:
            sub(root, CBC + "DueDate", iso(doc.due_date))
        sub(root, CBC + "InvoiceTypeCode", doc.type_code)
        for note in doc.notes:
            sub(root, CBC + "Note", note)
        if doc.tax_point_date:
            sub(root, CBC + "TaxPointDate", iso(doc.tax_point_date))
    sub(root, CBC + "DocumentCurrencyCode", doc.currency)
    opt(root, CBC + "BuyerReference", doc.buyer_reference)
    if doc.period_start or doc.period_end:
        _period(root, doc.period_start, doc.period_end)
    for ref in doc.preceding_invoices:
        inv = sub(sub(root, CAC + "BillingReference"), CAC + "InvoiceDocumentReference")
        sub(inv, CBC + "ID", ref.number)
        if ref.issue_date:
            sub(inv, CBC + "IssueDate", iso(ref.issue_date))


def _period(parent: Element, start: date | None, end: date | None) -> None:
    period = sub(parent, CAC + "InvoicePeriod")
    if start:
        sub(period, CBC + "StartDate", iso(start))
    if end:
        sub(period, CBC + "EndDate", iso(end))


def _party(role: Element, party: Party) -> None:
    p = sub(role, CAC + "Party")
    opt(p, CBC + "EndpointID", party.endpoint_id, schemeID=party.endpoint_scheme)
    if party.trading_name:
        sub(sub(p, CAC + "PartyName"), CBC + "Name", party.trading_name)
    a = party.address
    addr = sub(p, CAC + "PostalAddress")
    opt(addr, CBC + "StreetName", a.street)
    opt(addr, CBC + "AdditionalStreetName", a.additional_street)
    opt(addr, CBC + "CityName", a.city)
    opt(addr, CBC + "PostalZone", a.postal_code)
    opt(addr, CBC + "CountrySubentity", a.subdivision)
    sub(sub(addr, CAC + "Country"), CBC + "IdentificationCode", a.country_code)
    if party.vat_id:
        tax = sub(p, CAC + "PartyTaxScheme")
        sub(tax, CBC + "CompanyID", party.vat_id)
        sub(sub(tax, CAC + "TaxScheme"), CBC + "ID", "VAT")
    legal = sub(p, CAC + "PartyLegalEntity")
    sub(legal, CBC + "RegistrationName", party.name)
    opt(legal, CBC + "CompanyID", party.legal_id, schemeID=party.legal_id_scheme)
    if party.contact_name or party.phone or party.email:
        contact = sub(p, CAC + "Contact")
        opt(contact, CBC + "Name", party.contact_name)
        opt(contact, CBC + "Telephone", party.phone)
        opt(contact, CBC + "ElectronicMail", party.email)


def _payment(root: Element, doc: Document) -> None:
    pay = doc.payment
    # A credit note has no DueDate element: EN 16931 binds BT-9 to PaymentDueDate.
    credit_due = doc.due_date if doc.is_credit_note else None
    if pay is None or not pay.means_code:
        if credit_due:
            raise ValueError("a credit note with a due date needs a payment means code")
    if pay is None:
        return
    if pay.means_code:
        means = sub(root, CAC + "PaymentMeans")
        sub(means, CBC + "PaymentMeansCode", pay.means_code)
        if credit_due:
            sub(means, CBC + "PaymentDueDate", iso(credit_due))
        opt(means, CBC + "PaymentID", pay.remittance_info)
        if pay.iban:
            account = sub(means, CAC + "PayeeFinancialAccount")
            sub(account, CBC + "ID", pay.iban)
            if pay.bic:
                branch = sub(account, CAC + "FinancialInstitutionBranch")
                sub(branch, CBC + "ID", pay.bic)
    if pay.terms:
        sub(sub(root, CAC + "PaymentTerms"), CBC + "Note", pay.terms)


def _allowance_charge(
    parent: Element, ac: AllowanceCharge, currency: str, line_level: bool = False
) -> None:
    el = sub(parent, CAC + "AllowanceCharge")
    sub(el, CBC + "ChargeIndicator", "true" if ac.is_charge else "false")
    opt(el, CBC + "AllowanceChargeReasonCode", ac.reason_code)
    opt(el, CBC + "AllowanceChargeReason", ac.reason)
    opt(el, CBC + "MultiplierFactorNumeric", ac.percent)
    sub(el, CBC + "Amount", ac.amount, currencyID=currency)
    opt(el, CBC + "BaseAmount", ac.base_amount, currencyID=currency)
    if not line_level:
        _tax_category(el, CAC + "TaxCategory", ac.vat_category, ac.vat_rate)


def _tax_category(
    parent: Element,
    tag: str,
    category: str,
    rate: Decimal | None,
    reason: str = "",
    reason_code: str = "",
) -> None:
    cat = sub(parent, tag)
    sub(cat, CBC + "ID", category)
    if rate is not None:
        sub(cat, CBC + "Percent", text(rate))
    opt(cat, CBC + "TaxExemptionReasonCode", reason_code)
    opt(cat, CBC + "TaxExemptionReason", reason)
    sub(sub(cat, CAC + "TaxScheme"), CBC + "ID", "VAT")


def _totals(root: Element, doc: Document) -> None:
    cur = doc.currency
    totals = compute_totals(doc)
    tax_total = sub(root, CAC + "TaxTotal")
    sub(tax_total, CBC + "TaxAmount", totals.vat_total, currencyID=cur)
    for vb in totals.vat_breakdown:
        subtotal = sub(tax_total, CAC + "TaxSubtotal")
        sub(subtotal, CBC + "TaxableAmount", vb.taxable_amount, currencyID=cur)
        sub(subtotal, CBC + "TaxAmount", vb.tax_amount, currencyID=cur)
        _tax_category(
            subtotal,
            CAC + "TaxCategory",
            vb.category,
            vb.rate,
            vb.exemption_reason,
            vb.exemption_reason_code,
        )

    money = sub(root, CAC + "LegalMonetaryTotal")
    sub(money, CBC + "LineExtensionAmount", totals.line_net_total, currencyID=cur)
    sub(money, CBC + "TaxExclusiveAmount", totals.tax_exclusive, currencyID=cur)
    sub(money, CBC + "TaxInclusiveAmount", totals.tax_inclusive, currencyID=cur)
    if doc.allowances_charges:
        if any(not ac.is_charge for ac in doc.allowances_charges):
            sub(
                money,
                CBC + "AllowanceTotalAmount",
                totals.allowance_total,
                currencyID=cur,
            )
        if any(ac.is_charge for ac in doc.allowances_charges):
            sub(money, CBC + "ChargeTotalAmount", totals.charge_total, currencyID=cur)
    if totals.prepaid:
        sub(money, CBC + "PrepaidAmount", totals.prepaid, currencyID=cur)
    if totals.rounding:
        sub(money, CBC + "PayableRoundingAmount", totals.rounding, currencyID=cur)
    sub(money, CBC + "PayableAmount", totals.payable, currencyID=cur)


def _line(root: Element, line: Line, currency: str, credit: bool) -> None:
    el = sub(root, CAC + ("CreditNoteLine" if credit else "InvoiceLine"))
    sub(el, CBC + "ID", line.id)
    opt(el, CBC + "Note", line.note)
    quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
    sub(el, CBC + quantity_tag, line.quantity, unitCode=line.unit_code)
    sub(el, CBC + "LineExtensionAmount", line.net_amount, currencyID=currency)
    if line.period_start or line.period_end:
        _period(el, line.period_start, line.period_end)
    for ac in line.allowances_charges:
        _allowance_charge(el, ac, currency, line_level=True)
    item = sub(el, CAC + "Item")
    opt(item, CBC + "Description", line.description)
    sub(item, CBC + "Name", line.item_name)
    _tax_category(item, CAC + "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    price = sub(el, CAC + "Price")
    sub(price, CBC + "PriceAmount", line.net_price, currencyID=currency)
    if line.base_quantity is not None:
        sub(price, CBC + "BaseQuantity", line.base_quantity, unitCode=line.unit_code)
