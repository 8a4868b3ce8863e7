"""The bill run bills a contract's fees and one-off items: on an apartment contract
and on a service point contract without meters, a one-off item only once (again
after its invoice is cancelled), and the e-invoices of such an invoice validate."""

from datetime import date
from decimal import Decimal

import pytest

from builders import make_contract
from meterbill.billing.billrun import bill_period
from meterbill.billing.inputs import contract_charges_input
from meterbill.billing.models import Period
from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.corrections import (
    cancel_invoice,
    correct_past_period,
    rebill,
)
from meterbill.invoicing.documents import render_pdf_html
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice
from meterbill.premises.models import Apartment, ContractCharge, ServicePoint
from meterbill.tariffs.models import VatRate

D = Decimal


@pytest.fixture
def fee_only(org, branches):
    """Contract F1 (north) on service point SP-9 with no meter and no service:
    a service fee of 12.00 a month, exempt (E, its own rate 0), and a connection
    fee of 150.00 due on 15 November, S at the organisation's 19%. Periods
    November 2026, December 2026 and January 2027."""
    north = branches["north"]
    VatRate.objects.create(
        organisation=org, category="S", rate_percent=D(19), valid_from=date(2026, 1, 1)
    )
    point = ServicePoint.objects.create(branch=north, identifier="SP-9")
    contract = make_contract(
        north, "F1", "K9", "Fee Customer SRL", [], service_point=point, country="RO"
    )
    monthly = ContractCharge.objects.create(
        contract=contract,
        code="SVC",
        description="Service fee",
        unit_price_net=D("12.00"),
        vat_category="E",
        vat_rate_percent=D(0),
        vat_exemption_reason="Exempt under art. 292 of the Fiscal Code",
        vat_exemption_code="VATEX-EU-132",
        valid_from=date(2026, 1, 1),
    )
    once = ContractCharge.objects.create(
        contract=contract,
        code="CONN",
        description="Connection fee",
        unit_price_net=D("150.00"),
        recurrence="once",
        valid_from=date(2026, 11, 15),
    )
    periods = [
        Period.objects.create(branch=north, name=name, starts_on=first, ends_on=last)
        for name, first, last in [
            ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
            ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
            ("2027-01", date(2027, 1, 1), date(2027, 1, 31)),
        ]
    ]
    return {"contract": contract, "monthly": monthly, "once": once, "periods": periods}


def _invoice(contract, period):
    return Invoice.objects.get(contract=contract, period=period, kind="invoice")


def _lines(invoice):
    return sorted((ln.description, ln.net_amount) for ln in invoice.lines.all())


def test_it_invoices_a_service_point_contract_with_only_fees(fee_only):
    contract, (november, *_rest) = fee_only["contract"], fee_only["periods"]

    bill_period(november, issue_date=date(2026, 12, 4))

    # then 12.00 (E, 0%) + 150.00 (S, 19% = 28.50): net 162.00, gross 190.50
    inv = _invoice(contract, november)
    assert _lines(inv) == [
        ("Connection fee", D("150.00")),
        ("Service fee", D("12.00")),
    ]
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("162.00"),
        D("28.50"),
        D("190.50"),
    )
    fee_line = inv.lines.get(description="Connection fee")
    assert fee_line.trace["contract_charge"]["id"] == fee_only["once"].pk
    assert fee_line.trace["contract_charge"]["rule"] == "one-off item"
    fee_only["once"].refresh_from_db()
    assert fee_only["once"].invoice == inv


def test_it_bills_a_one_off_item_once_and_again_after_a_cancel(fee_only, alice):
    contract, (november, december, january) = fee_only["contract"], fee_only["periods"]
    bill_period(november, issue_date=date(2026, 12, 4))

    # when December is billed: the service fee only, 12.00, nothing taxed
    bill_period(december, issue_date=date(2027, 1, 4))

    inv = _invoice(contract, december)
    assert _lines(inv) == [("Service fee", D("12.00"))]
    assert inv.total_gross == D("12.00")

    # when November's invoice is cancelled, January bills the connection fee again
    cancel_invoice(_invoice(contract, november), alice, "wrong fee", date(2027, 1, 5))
    fee_only["once"].refresh_from_db()
    assert fee_only["once"].invoice is None

    bill_period(january, issue_date=date(2027, 2, 4))

    inv = _invoice(contract, january)
    assert _lines(inv) == [
        ("Connection fee", D("150.00")),
        ("Service fee", D("12.00")),
    ]
    fee_only["once"].refresh_from_db()
    assert fee_only["once"].invoice == inv


def test_a_rebill_of_the_period_bills_the_one_off_item_again_once(fee_only, alice):
    contract, november = fee_only["contract"], fee_only["periods"][0]
    bill_period(november, issue_date=date(2026, 12, 4))
    original = _invoice(contract, november)

    note, new = rebill(original, alice, "new address", date(2026, 12, 6))

    # then the new invoice has both fees again (162.00) and owns the one-off item;
    # the credit note took nothing
    assert new.total_net == D("162.00")
    assert note.total_net == D("162.00")
    fee_only["once"].refresh_from_db()
    assert fee_only["once"].invoice_id == new.pk
    # and December loads the service fee only
    december = contract_charges_input([contract], fee_only["periods"][1])
    assert [i.description for i in december[contract.pk]] == ["Service fee"]


def test_a_one_off_item_added_after_the_invoice_waits_for_the_next_period(
    fee_only, alice
):
    contract, (november, december, _january) = fee_only["contract"], fee_only["periods"]
    bill_period(november, issue_date=date(2026, 12, 4))
    # given a reminder fee of 5.00 due in November, added after its invoice
    late = ContractCharge.objects.create(
        contract=contract,
        description="Reminder fee",
        unit_price_net=D("5.00"),
        vat_rate_percent=D(19),
        recurrence="once",
        valid_from=date(2026, 11, 28),
    )

    # when November is corrected: nothing changed, nothing is issued
    correction = correct_past_period(_invoice(contract, november), alice)

    assert (correction.credit_note, correction.additional_invoice) == (None, None)
    # and December bills it: 12.00 + 5.00 = 17.00 net, VAT 19% of 5.00 = 0.95
    bill_period(december, issue_date=date(2027, 1, 4))
    inv = _invoice(contract, december)
    assert (inv.total_net, inv.total_vat) == (D("17.00"), D("0.95"))
    late.refresh_from_db()
    assert late.invoice == inv


def test_it_prorates_a_fee_on_an_apartment_contract_without_meters(small_building, org):
    # given apartment 4 of R1, no meter, contract C4 from 11 November (20 of 30
    # days) with a fee of 12.00 a month at the organisation's S rate of 11%
    VatRate.objects.create(
        organisation=org, category="S", rate_percent=D(11), valid_from=date(2026, 1, 1)
    )
    apartment = Apartment.objects.create(
        residence=small_building["residence"], number="4", area_m2=D(40), persons=1
    )
    contract = make_contract(
        apartment.residence.branch,
        "C4",
        "K4",
        "Customer 4",
        [],
        apartment=apartment,
        valid_from=date(2026, 11, 11),
        country="RO",
    )
    ContractCharge.objects.create(
        contract=contract,
        description="Building service fee",
        unit_price_net=D("12.00"),
        valid_from=date(2026, 1, 1),
    )

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then 20/30 × 12.00 = 8.00, VAT 11% = 0.88, gross 8.88; the three metered
    # apartments are billed as before (4 invoices)
    inv = Invoice.objects.get(contract=contract)
    assert _lines(inv) == [("Building service fee, 11.11 – 30.11.2026", D("8.00"))]
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("8.00"),
        D("0.88"),
        D("8.88"),
    )
    assert run.summary["issued"] == 4


def test_the_cii_of_a_fee_invoice_validates(fee_only):
    bill_period(fee_only["periods"][0], issue_date=date(2026, 12, 4))
    inv = _invoice(fee_only["contract"], fee_only["periods"][0])

    xml = invoice_cii(inv)

    assert validate_cii(xml) == []
    assert b">190.50<" in xml


@pytest.mark.corpus
def test_the_ubl_of_a_fee_invoice_validates(fee_only):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")
    bill_period(fee_only["periods"][0], issue_date=date(2026, 12, 4))
    inv = _invoice(fee_only["contract"], fee_only["periods"][0])

    xml = invoice_xml(inv)

    assert validate_ubl(xml, rules=True) == []
    assert b">190.50<" in xml


def test_the_printed_invoice_lists_the_fees(fee_only):
    bill_period(fee_only["periods"][0], issue_date=date(2026, 12, 4))
    inv = _invoice(fee_only["contract"], fee_only["periods"][0])

    html = render_pdf_html(inv)

    assert "Connection fee" in html
    assert "Service fee" in html
    assert "190.50" in html
