"""A tariff priced in VAT category E or AE: the e-invoice states the exemption
reason of the organisation's VAT schedule (EN 16931 BT-120/121, BR-E-10,
BR-AE-10) and passes the UBL XSD and the CEN schematron; without a reason the bill
run holds the invoice with a ``vat_exemption_missing`` finding instead."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice
from meterbill.premises.models import Customer
from meterbill.tariffs.models import TariffVersion, VatRate

D = Decimal
DEC_4 = date(2026, 12, 4)
ART_132 = "Exempt under Article 132 of Directive 2006/112/EC"


def _price_cold_water_in(category, small_building):
    TariffVersion.objects.filter(tariff=small_building["tariff"]).update(
        vat_category=category, vat_rate_percent=D(0)
    )


def _xml_checked(inv):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")
    xml = invoice_xml(inv)
    assert validate_ubl(xml, rules=True) == []
    assert validate_cii(invoice_cii(inv)) == []
    return xml


@pytest.mark.corpus
def test_an_exempt_tariff_invoice_carries_the_schedules_reason_and_validates(
    small_building, org
):
    # given cold water priced in E and the organisation's reason for E
    _price_cold_water_in("E", small_building)
    VatRate.objects.create(
        organisation=org,
        category="E",
        rate_percent=D(0),
        valid_from=date(2026, 1, 1),
        exemption_reason=ART_132,
        exemption_code="VATEX-EU-132",
    )

    bill_period(small_building["period"], issue_date=DEC_4)

    # then apartment 2 is billed 22 m3 × 5.00 + 2.00 = 112.00 net, no VAT (E), so
    # 112.00 gross; the breakdown of E names the reason and the code
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("112.00"),
        D("0.00"),
        D("112.00"),
    )
    xml = _xml_checked(inv)
    assert b"<cbc:TaxExemptionReasonCode>VATEX-EU-132<" in xml
    assert ART_132.encode() in xml


@pytest.mark.corpus
def test_a_reverse_charge_tariff_invoice_validates(small_building, org):
    # given cold water priced in AE, the schedule's reason for AE, and apartment
    # 2's customer with a VAT id (BR-AE-02 asks for the buyer's)
    _price_cold_water_in("AE", small_building)
    VatRate.objects.create(
        organisation=org,
        category="AE",
        rate_percent=D(0),
        valid_from=date(2026, 1, 1),
        exemption_code="VATEX-EU-AE",
    )
    Customer.objects.filter(code="K2").update(vat_id="RO18547290", kind="company")

    bill_period(small_building["period"], issue_date=DEC_4)

    # then the invoice of 112.00 net (as above) states the code alone
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    assert (inv.total_net, inv.total_gross) == (D("112.00"), D("112.00"))
    xml = _xml_checked(inv)
    assert b"<cbc:TaxExemptionReasonCode>VATEX-EU-AE<" in xml


def test_an_exempt_tariff_without_a_reason_holds_the_invoice(small_building, org):
    # given cold water priced in E and no VatRate row for E (so no reason)
    _price_cold_water_in("E", small_building)

    run = bill_period(small_building["period"], issue_date=DEC_4)

    # then none of the three apartments is issued: each is held with a stored
    # contract finding naming the category
    assert not Invoice.objects.filter(period=small_building["period"]).exists()
    assert (run.summary["issued"], run.summary["held"]) == (0, 3)
    held = Finding.objects.filter(
        period=small_building["period"], rule="vat_exemption_missing"
    )
    assert sorted(f.subject.split(":")[0] for f in held) == ["contract"] * 3
    assert "VAT category E has no exemption reason" in held[0].message


def test_a_reason_given_later_releases_the_invoice(small_building, org):
    # given the run above held the invoices
    _price_cold_water_in("E", small_building)
    bill_period(small_building["period"], issue_date=DEC_4)

    # when the organisation states its reason for E and bills again
    VatRate.objects.create(
        organisation=org,
        category="E",
        rate_percent=D(0),
        valid_from=date(2026, 1, 1),
        exemption_code="VATEX-EU-132",
    )
    run = bill_period(small_building["period"], issue_date=DEC_4)

    # then the three invoices are issued
    assert run.summary["issued"] == 3
