"""Read an EN 16931 invoice or credit note (UBL 2.1 Invoice/CreditNote or CII D16B)
into the model, keeping the totals the file states in ``Document.stated_totals``.

Only the business terms the model holds are read; the rest of the file is ignored.
Malformed XML, an unknown root element, a missing mandatory term or an unreadable
number or date raise ``InvalidFormat`` naming the file and the element.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from lxml import etree
from lxml.etree import _Element as Element

from meterbill.engine.numbers import NotANumber, plain_decimal
from meterbill.formats.einvoice import cii, ubl
from meterbill.formats.einvoice.model import (
    ZERO,
    Address,
    AllowanceCharge,
    Document,
    Line,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    Totals,
    VatBreakdown,
    VatExemption,
)
from meterbill.formats.errors import InvalidFormat

_UBL_NS = {"cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}
_CII_NS = {"rsm": cii.NS_RSM, "ram": cii.NS_RAM, "udt": cii.NS_UDT, "qdt": cii.NS_QDT}


def read_invoice(data: bytes, filename: str = "") -> Document:
    """The model of a UBL Invoice, UBL CreditNote or CII CrossIndustryInvoice."""
    root = _parse(data, filename)
    qname = etree.QName(root)
    if qname.namespace in (ubl.NS_INVOICE, ubl.NS_CREDIT_NOTE):
        return _UblReader(filename, root).document()
    if qname.namespace == cii.NS_RSM and qname.localname == "CrossIndustryInvoice":
        return _CiiReader(filename, root).document()
    raise InvalidFormat(
        "not a UBL Invoice/CreditNote or CII CrossIndustryInvoice",
        file=filename,
        field=qname.localname,
    )


def specification_id(data: bytes) -> str:
    """BT-24, the specification identifier a file declares."""
    root = _parse(data, "")
    found = root.findtext("cbc:CustomizationID", "", _UBL_NS) or root.findtext(
        "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter"
        "/ram:ID",
        "",
        _CII_NS,
    )
    return found.strip()


def _parse(data: bytes, filename: str) -> Element:
    if isinstance(data, str):
        data = data.encode("utf-8")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InvalidFormat(f"not well-formed XML: {exc}", file=filename) from exc
    if root is None or not isinstance(root.tag, str):
        raise InvalidFormat("no root element", file=filename)
    return root


class _Reader:
    """Typed look-ups relative to an element, raising InvalidFormat with the path."""

    ns: dict[str, str] = {}

    def __init__(self, filename: str, root: Element) -> None:
        self.filename = filename
        self.root = root

    def fail(self, message: str, path: str) -> InvalidFormat:
        return InvalidFormat(message, file=self.filename, field=path)

    def text(self, el: Element | None, path: str) -> str:
        if el is None:
            return ""
        return (el.findtext(path, "", self.ns) or "").strip()

    def required(self, el: Element | None, path: str, term: str) -> str:
        value = self.text(el, path)
        if not value:
            raise self.fail(f"missing {term}", path)
        return value

    def attr(self, el: Element | None, path: str, name: str) -> str:
        found = None if el is None else el.find(path, self.ns)
        return "" if found is None else (found.get(name) or "").strip()

    def decimal(self, el: Element | None, path: str, term: str) -> Decimal | None:
        value = self.text(el, path)
        if not value:
            return None
        try:
            # xsd:decimal: ASCII digits, an optional sign and point, no exponent.
            return plain_decimal(value, comma=False, negative=True, lone_point=True)
        except NotANumber as exc:
            raise self.fail(f"{term}: {value[:40]!r} is not a number", path) from exc

    def required_decimal(self, el: Element | None, path: str, term: str) -> Decimal:
        number = self.decimal(el, path, term)
        if number is None:
            raise self.fail(f"missing {term}", path)
        return number

    def parse_date(self, value: str, fmt: str, path: str, term: str) -> date:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError as exc:
            raise self.fail(f"{term}: {value!r} is not a date", path) from exc

    def all(self, el: Element | None, path: str) -> list[Element]:
        return [] if el is None else list(el.iterfind(path, self.ns))

    def one(self, el: Element | None, path: str) -> Element | None:
        return None if el is None else el.find(path, self.ns)


def _by_key(breakdown: list[VatBreakdown]) -> tuple[VatBreakdown, ...]:
    normalized = [
        dataclasses.replace(b, rate=_rate(b.category, b.rate)) for b in breakdown
    ]
    return tuple(sorted(normalized, key=lambda b: (b.category, b.rate or ZERO)))


def _rate(category: str, rate: Decimal | None) -> Decimal | None:
    """Category O (not subject to VAT) has no rate (BR-O-05); a stated 0 means none."""
    return None if category == "O" and rate == 0 else rate


def _party(party: Party) -> Party:
    """A scheme identifier without its identifier says nothing: drop it."""
    return dataclasses.replace(
        party,
        endpoint_scheme=party.endpoint_scheme if party.endpoint_id else "",
        legal_id_scheme=party.legal_id_scheme if party.legal_id else "",
    )


def _line(line: Line) -> Line:
    return dataclasses.replace(line, vat_rate=_rate(line.vat_category, line.vat_rate))


def _exemptions(breakdown: tuple[VatBreakdown, ...]) -> tuple[VatExemption, ...]:
    return tuple(
        VatExemption(b.category, b.exemption_reason, b.exemption_reason_code)
        for b in breakdown
        if b.exemption_reason or b.exemption_reason_code
    )


class _UblReader(_Reader):
    ns = _UBL_NS

    def date(self, el: Element | None, path: str, term: str) -> date | None:
        value = self.text(el, path)
        return self.parse_date(value, "%Y-%m-%d", path, term) if value else None

    def document(self) -> Document:
        root = self.root
        credit = etree.QName(root).localname == "CreditNote"
        type_path = "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"
        currency = self.required(root, "cbc:DocumentCurrencyCode", "BT-5 currency")
        due = self.date(root, "cbc:DueDate", "BT-9") or self.date(
            root, "cac:PaymentMeans/cbc:PaymentDueDate", "BT-9"
        )
        issue = self.date(root, "cbc:IssueDate", "BT-2 issue date")
        if issue is None:
            raise self.fail("missing BT-2 issue date", "cbc:IssueDate")
        period = self.one(root, "cac:InvoicePeriod")
        breakdown = self.breakdown(currency)
        prepaid = self.decimal(
            root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount", "BT-113"
        )
        rounding = self.decimal(
            root, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount", "BT-114"
        )
        return Document(
            number=self.required(root, "cbc:ID", "BT-1 invoice number"),
            issue_date=issue,
            type_code=self.required(root, type_path, "BT-3 type code"),
            currency=currency,
            seller=_party(
                self.party("cac:AccountingSupplierParty/cac:Party", "seller")
            ),
            buyer=_party(self.party("cac:AccountingCustomerParty/cac:Party", "buyer")),
            lines=tuple(
                _line(self.line(el, credit))
                for el in self.all(
                    root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
                )
            ),
            due_date=due,
            buyer_reference=self.text(root, "cbc:BuyerReference"),
            tax_point_date=self.date(root, "cbc:TaxPointDate", "BT-7"),
            notes=tuple(n.text.strip() for n in self.all(root, "cbc:Note") if n.text),
            period_start=self.date(period, "cbc:StartDate", "BT-73"),
            period_end=self.date(period, "cbc:EndDate", "BT-74"),
            preceding_invoices=tuple(
                PrecedingInvoice(
                    self.required(ref, "cbc:ID", "BT-25"),
                    self.date(ref, "cbc:IssueDate", "BT-26"),
                )
                for ref in self.all(
                    root, "cac:BillingReference/cac:InvoiceDocumentReference"
                )
            ),
            payment=self.payment(),
            allowances_charges=tuple(
                self.allowance_charge(el, line_level=False)
                for el in self.all(root, "cac:AllowanceCharge")
            ),
            vat_exemptions=_exemptions(breakdown),
            prepaid_amount=prepaid or ZERO,
            rounding_amount=rounding or ZERO,
            stated_totals=self.totals(breakdown, prepaid, rounding),
        )

    def party(self, path: str, role: str) -> Party:
        p = self.one(self.root, path)
        if p is None:
            raise self.fail(f"missing the {role}", path)
        tax_id = ""
        for scheme in self.all(p, "cac:PartyTaxScheme"):
            if self.text(scheme, "cac:TaxScheme/cbc:ID") in ("VAT", ""):
                tax_id = self.text(scheme, "cbc:CompanyID")
                break
        a = self.one(p, "cac:PostalAddress")
        name = self.text(p, "cac:PartyLegalEntity/cbc:RegistrationName")
        if not name:
            raise self.fail(
                f"missing the {role}'s name", f"{path}/cac:PartyLegalEntity"
            )
        return Party(
            name=name,
            address=Address(
                street=self.text(a, "cbc:StreetName"),
                additional_street=self.text(a, "cbc:AdditionalStreetName"),
                city=self.text(a, "cbc:CityName"),
                postal_code=self.text(a, "cbc:PostalZone"),
                subdivision=self.text(a, "cbc:CountrySubentity"),
                country_code=self.text(a, "cac:Country/cbc:IdentificationCode"),
            ),
            trading_name=self.text(p, "cac:PartyName/cbc:Name"),
            vat_id=tax_id,
            legal_id=self.text(p, "cac:PartyLegalEntity/cbc:CompanyID"),
            legal_id_scheme=self.attr(
                p, "cac:PartyLegalEntity/cbc:CompanyID", "schemeID"
            ),
            endpoint_id=self.text(p, "cbc:EndpointID"),
            endpoint_scheme=self.attr(p, "cbc:EndpointID", "schemeID"),
            contact_name=self.text(p, "cac:Contact/cbc:Name"),
            phone=self.text(p, "cac:Contact/cbc:Telephone"),
            email=self.text(p, "cac:Contact/cbc:ElectronicMail"),
        )

    def payment(self) -> PaymentInstructions | None:
        means = self.one(self.root, "cac:PaymentMeans")
        terms = self.text(self.root, "cac:PaymentTerms/cbc:Note")
        if means is None and not terms:
            return None
        account = self.one(means, "cac:PayeeFinancialAccount")
        return PaymentInstructions(
            means_code=self.text(means, "cbc:PaymentMeansCode"),
            iban=self.text(account, "cbc:ID"),
            bic=self.text(account, "cac:FinancialInstitutionBranch/cbc:ID"),
            remittance_info=self.text(means, "cbc:PaymentID"),
            terms=terms,
        )

    def allowance_charge(self, el: Element, line_level: bool) -> AllowanceCharge:
        indicator = self.required(
            el, "cbc:ChargeIndicator", "BG-20/21 charge indicator"
        )
        category = self.one(el, "cac:TaxCategory")
        return AllowanceCharge(
            is_charge=indicator.lower() == "true",
            amount=self.required_decimal(el, "cbc:Amount", "BT-92/99 amount"),
            reason=self.text(el, "cbc:AllowanceChargeReason"),
            reason_code=self.text(el, "cbc:AllowanceChargeReasonCode"),
            base_amount=self.decimal(el, "cbc:BaseAmount", "BT-93/100"),
            percent=self.decimal(el, "cbc:MultiplierFactorNumeric", "BT-94/101"),
            vat_category="" if line_level else self.text(category, "cbc:ID"),
            vat_rate=None
            if line_level
            else self.decimal(category, "cbc:Percent", "BT-96"),
        )

    def line(self, el: Element, credit: bool) -> Line:
        qty_path = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
        tax = self.one(el, "cac:Item/cac:ClassifiedTaxCategory")
        period = self.one(el, "cac:InvoicePeriod")
        return Line(
            id=self.required(el, "cbc:ID", "BT-126 line id"),
            quantity=self.required_decimal(el, qty_path, "BT-129 quantity"),
            unit_code=self.attr(el, qty_path, "unitCode"),
            net_price=self.required_decimal(
                el, "cac:Price/cbc:PriceAmount", "BT-146 net price"
            ),
            net_amount=self.required_decimal(
                el, "cbc:LineExtensionAmount", "BT-131 line net amount"
            ),
            item_name=self.required(el, "cac:Item/cbc:Name", "BT-153 item name"),
            vat_category=self.required(
                el, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID", "BT-151 VAT category"
            ),
            vat_rate=self.decimal(tax, "cbc:Percent", "BT-152"),
            base_quantity=self.decimal(el, "cac:Price/cbc:BaseQuantity", "BT-149"),
            note=self.text(el, "cbc:Note"),
            description=self.text(el, "cac:Item/cbc:Description"),
            period_start=self.date(period, "cbc:StartDate", "BT-134"),
            period_end=self.date(period, "cbc:EndDate", "BT-135"),
            allowances_charges=tuple(
                self.allowance_charge(ac, line_level=True)
                for ac in self.all(el, "cac:AllowanceCharge")
            ),
        )

    def breakdown(self, currency: str) -> tuple[VatBreakdown, ...]:
        chosen: list[VatBreakdown] = []
        for total in self.all(self.root, "cac:TaxTotal"):
            if self.attr(total, "cbc:TaxAmount", "currencyID") not in ("", currency):
                continue  # BT-111, the VAT in accounting currency
            for st in self.all(total, "cac:TaxSubtotal"):
                cat = self.one(st, "cac:TaxCategory")
                chosen.append(
                    VatBreakdown(
                        category=self.required(cat, "cbc:ID", "BT-118"),
                        rate=self.decimal(cat, "cbc:Percent", "BT-119"),
                        taxable_amount=self.required_decimal(
                            st, "cbc:TaxableAmount", "BT-116"
                        ),
                        tax_amount=self.required_decimal(st, "cbc:TaxAmount", "BT-117"),
                        exemption_reason=self.text(cat, "cbc:TaxExemptionReason"),
                        exemption_reason_code=self.text(
                            cat, "cbc:TaxExemptionReasonCode"
                        ),
                    )
                )
        return _by_key(chosen)

    def vat_total(self, currency: str) -> Decimal | None:
        for total in self.all(self.root, "cac:TaxTotal"):
            if self.attr(total, "cbc:TaxAmount", "currencyID") in ("", currency):
                return self.decimal(total, "cbc:TaxAmount", "BT-110")
        return None

    def totals(
        self,
        breakdown: tuple[VatBreakdown, ...],
        prepaid: Decimal | None,
        rounding: Decimal | None,
    ) -> Totals:
        m = self.one(self.root, "cac:LegalMonetaryTotal")
        if m is None:
            raise self.fail("missing BG-22 document totals", "cac:LegalMonetaryTotal")
        currency = self.text(self.root, "cbc:DocumentCurrencyCode")
        return Totals(
            line_net_total=self.required_decimal(
                m, "cbc:LineExtensionAmount", "BT-106"
            ),
            allowance_total=self.decimal(m, "cbc:AllowanceTotalAmount", "BT-107")
            or ZERO,
            charge_total=self.decimal(m, "cbc:ChargeTotalAmount", "BT-108") or ZERO,
            tax_exclusive=self.required_decimal(m, "cbc:TaxExclusiveAmount", "BT-109"),
            vat_total=self.vat_total(currency) or ZERO,
            tax_inclusive=self.required_decimal(m, "cbc:TaxInclusiveAmount", "BT-112"),
            prepaid=prepaid or ZERO,
            rounding=rounding or ZERO,
            payable=self.required_decimal(m, "cbc:PayableAmount", "BT-115"),
            vat_breakdown=breakdown,
        )


class _CiiReader(_Reader):
    ns = _CII_NS

    TRANSACTION = "rsm:SupplyChainTradeTransaction"

    def date(self, el: Element | None, path: str, term: str) -> date | None:
        value = self.text(el, path)
        return self.parse_date(value, "%Y%m%d", path, term) if value else None

    def document(self) -> Document:
        root = self.root
        header = self.one(root, "rsm:ExchangedDocument")
        trade = self.one(root, self.TRANSACTION)
        if header is None or trade is None:
            raise self.fail("missing ExchangedDocument or trade transaction", "rsm")
        agreement = self.one(trade, "ram:ApplicableHeaderTradeAgreement")
        settlement = self.one(trade, "ram:ApplicableHeaderTradeSettlement")
        if settlement is None:
            raise self.fail(
                "missing the settlement", "ram:ApplicableHeaderTradeSettlement"
            )
        currency = self.required(settlement, "ram:InvoiceCurrencyCode", "BT-5")
        issue = self.date(header, "ram:IssueDateTime/udt:DateTimeString", "BT-2")
        if issue is None:
            raise self.fail("missing BT-2 issue date", "ram:IssueDateTime")
        terms = self.one(settlement, "ram:SpecifiedTradePaymentTerms")
        period = self.one(settlement, "ram:BillingSpecifiedPeriod")
        summation = self.one(
            settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation"
        )
        breakdown = self.breakdown(settlement)
        prepaid = self.decimal(summation, "ram:TotalPrepaidAmount", "BT-113")
        rounding = self.decimal(summation, "ram:RoundingAmount", "BT-114")
        return Document(
            number=self.required(header, "ram:ID", "BT-1 invoice number"),
            issue_date=issue,
            type_code=self.required(header, "ram:TypeCode", "BT-3 type code"),
            currency=currency,
            seller=_party(self.party(agreement, "ram:SellerTradeParty", "seller")),
            buyer=_party(self.party(agreement, "ram:BuyerTradeParty", "buyer")),
            lines=tuple(
                _line(self.line(el))
                for el in self.all(trade, "ram:IncludedSupplyChainTradeLineItem")
            ),
            due_date=self.date(terms, "ram:DueDateDateTime/udt:DateTimeString", "BT-9"),
            buyer_reference=self.text(agreement, "ram:BuyerReference"),
            tax_point_date=self.date(
                settlement,
                "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString",
                "BT-7",
            ),
            notes=tuple(
                n.text.strip()
                for n in self.all(header, "ram:IncludedNote/ram:Content")
                if n.text
            ),
            period_start=self.date(
                period, "ram:StartDateTime/udt:DateTimeString", "BT-73"
            ),
            period_end=self.date(period, "ram:EndDateTime/udt:DateTimeString", "BT-74"),
            preceding_invoices=tuple(
                PrecedingInvoice(
                    self.required(ref, "ram:IssuerAssignedID", "BT-25"),
                    self.date(
                        ref, "ram:FormattedIssueDateTime/qdt:DateTimeString", "BT-26"
                    ),
                )
                for ref in self.all(settlement, "ram:InvoiceReferencedDocument")
            ),
            payment=self.payment(settlement),
            allowances_charges=tuple(
                self.allowance_charge(el, line_level=False)
                for el in self.all(settlement, "ram:SpecifiedTradeAllowanceCharge")
            ),
            vat_exemptions=_exemptions(breakdown),
            prepaid_amount=prepaid or ZERO,
            rounding_amount=rounding or ZERO,
            stated_totals=self.totals(
                summation, currency, breakdown, prepaid, rounding
            ),
        )

    def party(self, agreement: Element | None, path: str, role: str) -> Party:
        p = self.one(agreement, path)
        if p is None:
            raise self.fail(f"missing the {role}", path)
        vat_id = ""
        for reg in self.all(p, "ram:SpecifiedTaxRegistration/ram:ID"):
            if reg.get("schemeID") == "VA":
                vat_id = (reg.text or "").strip()
        a = self.one(p, "ram:PostalTradeAddress")
        contact = self.one(p, "ram:DefinedTradeContact")
        return Party(
            name=self.required(p, "ram:Name", f"the {role}'s name"),
            address=Address(
                street=self.text(a, "ram:LineOne"),
                additional_street=self.text(a, "ram:LineTwo"),
                city=self.text(a, "ram:CityName"),
                postal_code=self.text(a, "ram:PostcodeCode"),
                subdivision=self.text(a, "ram:CountrySubDivisionName"),
                country_code=self.text(a, "ram:CountryID"),
            ),
            trading_name=self.text(
                p, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"
            ),
            vat_id=vat_id,
            legal_id=self.text(p, "ram:SpecifiedLegalOrganization/ram:ID"),
            legal_id_scheme=self.attr(
                p, "ram:SpecifiedLegalOrganization/ram:ID", "schemeID"
            ),
            endpoint_id=self.text(p, "ram:URIUniversalCommunication/ram:URIID"),
            endpoint_scheme=self.attr(
                p, "ram:URIUniversalCommunication/ram:URIID", "schemeID"
            ),
            contact_name=self.text(contact, "ram:PersonName"),
            phone=self.text(
                contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"
            ),
            email=self.text(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
        )

    def payment(self, settlement: Element) -> PaymentInstructions | None:
        means = self.one(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        terms = self.text(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description")
        reference = self.text(settlement, "ram:PaymentReference")
        if means is None and not terms and not reference:
            return None
        account = self.one(means, "ram:PayeePartyCreditorFinancialAccount")
        return PaymentInstructions(
            means_code=self.text(means, "ram:TypeCode"),
            iban=self.text(account, "ram:IBANID")
            or self.text(account, "ram:ProprietaryID"),
            bic=self.text(
                means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"
            ),
            remittance_info=reference,
            terms=terms,
        )

    def allowance_charge(self, el: Element, line_level: bool) -> AllowanceCharge:
        indicator = self.required(
            el, "ram:ChargeIndicator/udt:Indicator", "BG-20/21 charge indicator"
        )
        category = self.one(el, "ram:CategoryTradeTax")
        return AllowanceCharge(
            is_charge=indicator.lower() == "true",
            amount=self.required_decimal(el, "ram:ActualAmount", "BT-92/99 amount"),
            reason=self.text(el, "ram:Reason"),
            reason_code=self.text(el, "ram:ReasonCode"),
            base_amount=self.decimal(el, "ram:BasisAmount", "BT-93/100"),
            percent=self.decimal(el, "ram:CalculationPercent", "BT-94/101"),
            vat_category="" if line_level else self.text(category, "ram:CategoryCode"),
            vat_rate=None
            if line_level
            else self.decimal(category, "ram:RateApplicablePercent", "BT-96"),
        )

    def line(self, el: Element) -> Line:
        settlement = self.one(el, "ram:SpecifiedLineTradeSettlement")
        price = self.one(
            el, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice"
        )
        qty_path = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
        period = self.one(settlement, "ram:BillingSpecifiedPeriod")
        return Line(
            id=self.required(
                el, "ram:AssociatedDocumentLineDocument/ram:LineID", "BT-126"
            ),
            quantity=self.required_decimal(el, qty_path, "BT-129 quantity"),
            unit_code=self.attr(el, qty_path, "unitCode"),
            net_price=self.required_decimal(price, "ram:ChargeAmount", "BT-146"),
            net_amount=self.required_decimal(
                settlement,
                "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
                "BT-131 line net amount",
            ),
            item_name=self.required(el, "ram:SpecifiedTradeProduct/ram:Name", "BT-153"),
            vat_category=self.required(
                settlement, "ram:ApplicableTradeTax/ram:CategoryCode", "BT-151"
            ),
            vat_rate=self.decimal(
                settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent", "BT-152"
            ),
            base_quantity=self.decimal(price, "ram:BasisQuantity", "BT-149"),
            note=self.text(
                el, "ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content"
            ),
            description=self.text(el, "ram:SpecifiedTradeProduct/ram:Description"),
            period_start=self.date(
                period, "ram:StartDateTime/udt:DateTimeString", "BT-134"
            ),
            period_end=self.date(
                period, "ram:EndDateTime/udt:DateTimeString", "BT-135"
            ),
            allowances_charges=tuple(
                self.allowance_charge(ac, line_level=True)
                for ac in self.all(settlement, "ram:SpecifiedTradeAllowanceCharge")
            ),
        )

    def breakdown(self, settlement: Element) -> tuple[VatBreakdown, ...]:
        return _by_key(
            [
                VatBreakdown(
                    category=self.required(tax, "ram:CategoryCode", "BT-118"),
                    rate=self.decimal(tax, "ram:RateApplicablePercent", "BT-119"),
                    taxable_amount=self.required_decimal(
                        tax, "ram:BasisAmount", "BT-116"
                    ),
                    tax_amount=self.required_decimal(
                        tax, "ram:CalculatedAmount", "BT-117"
                    ),
                    exemption_reason=self.text(tax, "ram:ExemptionReason"),
                    exemption_reason_code=self.text(tax, "ram:ExemptionReasonCode"),
                )
                for tax in self.all(settlement, "ram:ApplicableTradeTax")
            ]
        )

    def totals(
        self,
        m: Element | None,
        currency: str,
        breakdown: tuple[VatBreakdown, ...],
        prepaid: Decimal | None,
        rounding: Decimal | None,
    ) -> Totals:
        if m is None:
            raise self.fail(
                "missing BG-22 document totals",
                "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            )
        vat_total = None
        for amount in self.all(m, "ram:TaxTotalAmount"):
            if amount.get("currencyID", currency) == currency:
                vat_total = self.decimal(amount, ".", "BT-110")
        return Totals(
            line_net_total=self.required_decimal(m, "ram:LineTotalAmount", "BT-106"),
            allowance_total=self.decimal(m, "ram:AllowanceTotalAmount", "BT-107")
            or ZERO,
            charge_total=self.decimal(m, "ram:ChargeTotalAmount", "BT-108") or ZERO,
            tax_exclusive=self.required_decimal(m, "ram:TaxBasisTotalAmount", "BT-109"),
            vat_total=vat_total or ZERO,
            tax_inclusive=self.required_decimal(m, "ram:GrandTotalAmount", "BT-112"),
            prepaid=prepaid or ZERO,
            rounding=rounding or ZERO,
            payable=self.required_decimal(m, "ram:DuePayableAmount", "BT-115"),
            vat_breakdown=breakdown,
        )
