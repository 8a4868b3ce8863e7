"""A small EN 16931 UBL invoice for the adversarial tests: one seller, one buyer,
invoice lines given as (unit code, quantity, net amount, VAT category, rate)."""

from __future__ import annotations

LINE = """
  <cac:InvoiceLine>
    <cbc:ID>{n}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="{unit}">{quantity}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="{currency}">{amount}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Cold water</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>{category}</cbc:ID>
        <cbc:Percent>{rate}</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="{currency}">1</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>"""

INVOICE = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>AN-2611</cbc:ID>
  <cbc:IssueDate>2026-12-02</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PostalAddress><cbc:CityName>Bucuresti</cbc:CityName>
      <cac:Country><cbc:IdentificationCode>RO</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>RO14133340</cbc:CompanyID>
      <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Apa Nova SA</cbc:RegistrationName>
    </cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PostalAddress><cbc:CityName>Bucuresti</cbc:CityName>
      <cac:Country><cbc:IdentificationCode>RO</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Termo Test SRL</cbc:RegistrationName>
    </cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{currency}">{total}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{currency}">{total}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{currency}">{total}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{currency}">{total}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{lines}
</Invoice>
"""


def ubl(
    lines: list[tuple[str, str, str, str, str]],
    *,
    currency: str = "RON",
    total: str | None = None,
) -> bytes:
    """The invoice; ``total`` (BT-106/BT-109) defaults to the sum of the lines."""
    if total is None:
        from decimal import Decimal

        total = str(sum((Decimal(line[2]) for line in lines), Decimal(0)))
    body = "".join(
        LINE.format(
            n=n,
            unit=unit,
            quantity=quantity,
            amount=amount,
            category=category,
            rate=rate,
            currency=currency,
        )
        for n, (unit, quantity, amount, category, rate) in enumerate(lines, start=1)
    )
    return INVOICE.format(currency=currency, total=total, lines=body).encode()
