"""EN 16931 in UN/CEFACT CII D16B syntax (CEN/TS 16931-3-3), as Factur-X EN 16931
carries it, and the Factur-X PDF/A-3 that embeds it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from meterbill.formats.einvoice._xml import Element, opt, serialize, sub
from meterbill.formats.einvoice.model import (
    EN16931_ID,
    AllowanceCharge,
    Document,
    Line,
    Party,
    compute_totals,
)

NS_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
NS_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NS_QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"

RSM = f"{{{NS_RSM}}}"
RAM = f"{{{NS_RAM}}}"
UDT = f"{{{NS_UDT}}}"
QDT = f"{{{NS_QDT}}}"


def write_cii(doc: Document) -> bytes:
    """The document as a CII CrossIndustryInvoice (one syntax for all type codes)."""
    root = etree.Element(
        RSM + "CrossIndustryInvoice",
        nsmap={"rsm": NS_RSM, "ram": NS_RAM, "udt": NS_UDT, "qdt": NS_QDT},
    )
    context = sub(root, RSM + "ExchangedDocumentContext")
    guideline = sub(context, RAM + "GuidelineSpecifiedDocumentContextParameter")
    sub(guideline, RAM + "ID", EN16931_ID)

    header = sub(root, RSM + "ExchangedDocument")
    sub(header, RAM + "ID", doc.number)
    sub(header, RAM + "TypeCode", doc.type_code)
    _date_time(sub(header, RAM + "IssueDateTime"), doc.issue_date)
    for note in doc.notes:
        sub(sub(header, RAM + "IncludedNote"), RAM + "Content", note)

    transaction = sub(root, RSM + "SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, line)
    agreement = sub(transaction, RAM + "ApplicableHeaderTradeAgreement")
    opt(agreement, RAM + "BuyerReference", doc.buyer_reference)
    _party(sub(agreement, RAM + "SellerTradeParty"), doc.seller)
    _party(sub(agreement, RAM + "BuyerTradeParty"), doc.buyer)
    sub(transaction, RAM + "ApplicableHeaderTradeDelivery")
    _settlement(sub(transaction, RAM + "ApplicableHeaderTradeSettlement"), doc)
    return serialize(root)


def facturx_pdf(pdf_bytes: bytes, cii_xml: bytes) -> bytes:
    """Embed ``cii_xml`` in ``pdf_bytes`` as a Factur-X EN 16931 PDF/A-3.

    The factur-x library checks the XML against its CII XSD first and raises if it
    does not validate; the schematron is checked by ``validate.validate_cii``.
    """
    from facturx import generate_from_binary

    result: bytes = generate_from_binary(
        pdf_bytes, cii_xml, flavor="factur-x", level="en16931", check_xsd=True
    )
    return result


def _date_time(parent: Element, day: date) -> None:
    sub(parent, UDT + "DateTimeString", day.strftime("%Y%m%d"), format="102")


def _period(parent: Element, start: date | None, end: date | None) -> None:
    if not (start or end):
        return
    period = sub(parent, RAM + "BillingSpecifiedPeriod")
    if start:
        _date_time(sub(period, RAM + "StartDateTime"), start)
    if end:
        _date_time(sub(period, RAM + "EndDateTime"), end)


def _trade_tax(
    parent: Element,
    category: str,
    rate: Decimal | None,
    tag: str = "ApplicableTradeTax",
) -> None:
    tax = sub(parent, RAM + tag)
    sub(tax, RAM + "TypeCode", "VAT")
    sub(tax, RAM + "CategoryCode", category)
    opt(tax, RAM + "RateApplicablePercent", rate)


def _allowance_charge(parent: Element, ac: AllowanceCharge, line_level: bool) -> None:
    el = sub(parent, RAM + "SpecifiedTradeAllowanceCharge")
    indicator = sub(el, RAM + "ChargeIndicator")
    sub(indicator, UDT + "Indicator", "true" if ac.is_charge else "false")
    opt(el, RAM + "CalculationPercent", ac.percent)
    opt(el, RAM + "BasisAmount", ac.base_amount)
    sub(el, RAM + "ActualAmount", ac.amount)
    opt(el, RAM + "ReasonCode", ac.reason_code)
    opt(el, RAM + "Reason", ac.reason)
    if not line_level:
        _trade_tax(el, ac.vat_category, ac.vat_rate, tag="CategoryTradeTax")


def _line(transaction: Element, line: Line) -> None:
    item = sub(transaction, RAM + "IncludedSupplyChainTradeLineItem")
    line_doc = sub(item, RAM + "AssociatedDocumentLineDocument")
    sub(line_doc, RAM + "LineID", line.id)
    if line.note:
        sub(sub(line_doc, RAM + "IncludedNote"), RAM + "Content", line.note)

    product = sub(item, RAM + "SpecifiedTradeProduct")
    sub(product, RAM + "Name", line.item_name)
    opt(product, RAM + "Description", line.description)

    agreement = sub(item, RAM + "SpecifiedLineTradeAgreement")
    price = sub(agreement, RAM + "NetPriceProductTradePrice")
    sub(price, RAM + "ChargeAmount", line.net_price)
    if line.base_quantity is not None:
        sub(price, RAM + "BasisQuantity", line.base_quantity, unitCode=line.unit_code)

    delivery = sub(item, RAM + "SpecifiedLineTradeDelivery")
    sub(delivery, RAM + "BilledQuantity", line.quantity, unitCode=line.unit_code)

    settlement = sub(item, RAM + "SpecifiedLineTradeSettlement")
    _trade_tax(settlement, line.vat_category, line.vat_rate)
    _period(settlement, line.period_start, line.period_end)
    for ac in line.allowances_charges:
        _allowance_charge(settlement, ac, line_level=True)
    summation = sub(settlement, RAM + "SpecifiedTradeSettlementLineMonetarySummation")
    sub(summation, RAM + "LineTotalAmount", line.net_amount)


def _party(el: Element, party: Party) -> None:
    sub(el, RAM + "Name", party.name)
    if party.legal_id or party.trading_name:
        legal = sub(el, RAM + "SpecifiedLegalOrganization")
        opt(legal, RAM + "ID", party.legal_id, schemeID=party.legal_id_scheme)
        opt(legal, RAM + "TradingBusinessName", party.trading_name)
    if party.contact_name or party.phone or party.email:
        contact = sub(el, RAM + "DefinedTradeContact")
        opt(contact, RAM + "PersonName", party.contact_name)
        if party.phone:
            phone = sub(contact, RAM + "TelephoneUniversalCommunication")
            sub(phone, RAM + "CompleteNumber", party.phone)
        if party.email:
            email = sub(contact, RAM + "EmailURIUniversalCommunication")
            sub(email, RAM + "URIID", party.email)
    a = party.address
    address = sub(el, RAM + "PostalTradeAddress")
    opt(address, RAM + "PostcodeCode", a.postal_code)
    opt(address, RAM + "LineOne", a.street)
    opt(address, RAM + "LineTwo", a.additional_street)
    opt(address, RAM + "CityName", a.city)
    sub(address, RAM + "CountryID", a.country_code)
    opt(address, RAM + "CountrySubDivisionName", a.subdivision)
    if party.endpoint_id:
        uri = sub(el, RAM + "URIUniversalCommunication")
        sub(uri, RAM + "URIID", party.endpoint_id, schemeID=party.endpoint_scheme)
    if party.vat_id:
        sub(
            sub(el, RAM + "SpecifiedTaxRegistration"),
            RAM + "ID",
            party.vat_id,
            schemeID="VA",
        )


def _settlement(el: Element, doc: Document) -> None:
    pay = doc.payment
    totals = compute_totals(doc)
    if pay:
        opt(el, RAM + "PaymentReference", pay.remittance_info)
    sub(el, RAM + "InvoiceCurrencyCode", doc.currency)
    if pay and pay.means_code:
        means = sub(el, RAM + "SpecifiedTradeSettlementPaymentMeans")
        sub(means, RAM + "TypeCode", pay.means_code)
        if pay.iban:
            account = sub(means, RAM + "PayeePartyCreditorFinancialAccount")
            sub(account, RAM + "IBANID", pay.iban)
        if pay.bic:
            bank = sub(means, RAM + "PayeeSpecifiedCreditorFinancialInstitution")
            sub(bank, RAM + "BICID", pay.bic)

    for vb in totals.vat_breakdown:
        tax = sub(el, RAM + "ApplicableTradeTax")
        sub(tax, RAM + "CalculatedAmount", vb.tax_amount)
        sub(tax, RAM + "TypeCode", "VAT")
        opt(tax, RAM + "ExemptionReason", vb.exemption_reason)
        sub(tax, RAM + "BasisAmount", vb.taxable_amount)
        sub(tax, RAM + "CategoryCode", vb.category)
        opt(tax, RAM + "ExemptionReasonCode", vb.exemption_reason_code)
        if doc.tax_point_date:
            point = sub(tax, RAM + "TaxPointDate")
            sub(
                point,
                UDT + "DateString",
                doc.tax_point_date.strftime("%Y%m%d"),
                format="102",
            )
        opt(tax, RAM + "RateApplicablePercent", vb.rate)

    _period(el, doc.period_start, doc.period_end)
    for ac in doc.allowances_charges:
        _allowance_charge(el, ac, line_level=False)
    if (pay and pay.terms) or doc.due_date:
        terms = sub(el, RAM + "SpecifiedTradePaymentTerms")
        opt(terms, RAM + "Description", pay.terms if pay else "")
        if doc.due_date:
            _date_time(sub(terms, RAM + "DueDateDateTime"), doc.due_date)

    cur = doc.currency
    summation = sub(el, RAM + "SpecifiedTradeSettlementHeaderMonetarySummation")
    sub(summation, RAM + "LineTotalAmount", totals.line_net_total)
    if any(ac.is_charge for ac in doc.allowances_charges):
        sub(summation, RAM + "ChargeTotalAmount", totals.charge_total)
    if any(not ac.is_charge for ac in doc.allowances_charges):
        sub(summation, RAM + "AllowanceTotalAmount", totals.allowance_total)
    sub(summation, RAM + "TaxBasisTotalAmount", totals.tax_exclusive)
    sub(summation, RAM + "TaxTotalAmount", totals.vat_total, currencyID=cur)
    if totals.rounding:
        sub(summation, RAM + "RoundingAmount", totals.rounding)
    sub(summation, RAM + "GrandTotalAmount", totals.tax_inclusive)
    if totals.prepaid:
        sub(summation, RAM + "TotalPrepaidAmount", totals.prepaid)
    sub(summation, RAM + "DuePayableAmount", totals.payable)

    for ref in doc.preceding_invoices:
        inv = sub(el, RAM + "InvoiceReferencedDocument")
        sub(inv, RAM + "IssuerAssignedID", ref.number)
        if ref.issue_date:
            issued = sub(inv, RAM + "FormattedIssueDateTime")
            sub(
                issued,
                QDT + "DateTimeString",
                ref.issue_date.strftime("%Y%m%d"),
                format="102",
            )
