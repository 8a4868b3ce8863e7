"""A billed estimate that was too high is settled by the next bill run: the actual
below it gives a negative own-meter line priced at the tariff, the invoice may total
below zero, and nothing holds it; an actual below the last actual still does."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period
from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Meter, Reading, Register

D = Decimal
NOV_30, DEC_14, DEC_31 = date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 31)


def _november_estimated_then_december(small_building, branches, w1_actual):
    """November billed with W1 estimated (109.677); December with W1 read on
    14 Dec only, the other apartments +20 and +30, and no main meter."""
    w1 = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=w1, read_on=NOV_30).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    assert Reading.objects.get(register=w1, read_on=NOV_30).value == D("109.677")
    december = Period.objects.create(
        branch=branches["north"],
        name="2026-12",
        starts_on=date(2026, 12, 1),
        ends_on=DEC_31,
    )
    Reading.objects.create(
        register=w1, read_on=DEC_14, value=w1_actual, source="manual"
    )
    for serial, value in (("W2", 240), ("W3", 360)):
        Reading.objects.create(
            register=Register.objects.get(meter__serial=serial),
            read_on=DEC_31,
            value=value,
            source="manual",
        )
    # Without the main meter there is no common split (with one, see
    # test_a_settlement_does_not_block_the_common_split.py).
    Meter.objects.filter(serial="MAIN").delete()
    bill_period(december, issue_date=date(2027, 1, 5))
    return december, w1


def test_an_actual_below_the_estimate_credits_the_difference(small_building, branches):
    december, w1 = _november_estimated_then_december(small_building, branches, D("105"))

    # then December's W1 settlement line (no use after the estimate: no own line)
    # is 105 − 109.677 = −4.677 m3 at 5.00 RON:
    # −23.385 → −23.39 RON net; with the fixed 2.00 the invoice is −21.39 net,
    # VAT 11 % of −21.39 = −2.3529 → −2.35, gross −23.74: a negative invoice
    invoice = Invoice.objects.get(
        period=december, apartment=small_building["apartments"][0]
    )
    line = invoice.lines.get(description__contains="settlement of the estimate")
    assert line.quantity == D("-4.677")
    assert line.unit_price_net == D("5.00")
    assert line.net_amount == D("-23.39")
    assert (invoice.kind, invoice.total_net) == (Invoice.Kind.INVOICE, D("-21.39"))
    assert (invoice.total_vat, invoice.total_gross) == (D("-2.35"), D("-23.74"))
    [consumption] = line.trace["consumption"]
    assert consumption["settlement"]["text"] == (
        "estimate of 30 Nov 2026 109.677, actual 105.000 read on 14 Dec 2026: "
        "-4.677 settled in this bill"
    )
    # and no finding holds or flags W1
    assert not Finding.objects.filter(register_id=w1.pk, period=december).exists()


def test_an_actual_below_the_last_actual_is_still_held(small_building, branches):
    december, w1 = _november_estimated_then_december(small_building, branches, D("99"))

    # then 99 < 100 (the actual of 31 Oct): register_decrease holds apartment 1
    finding = Finding.objects.get(register_id=w1.pk, period=december)
    assert (finding.rule, finding.severity) == ("register_decrease", "block")
    assert not Invoice.objects.filter(
        period=december, apartment=small_building["apartments"][0]
    ).exists()


@pytest.mark.corpus
def test_the_negative_invoice_passes_the_en16931_rules(small_building, branches):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")
    december, _w1 = _november_estimated_then_december(
        small_building, branches, D("105")
    )
    invoice = Invoice.objects.get(
        period=december, apartment=small_building["apartments"][0]
    )

    # then the UBL invoice (type 380, payable −23.74) and the CII one are valid:
    # a negative amount due and a negative quantity break no EN 16931 rule
    xml = invoice_xml(invoice)
    assert validate_ubl(xml, rules=True) == []
    assert b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>" in xml
    assert b'<cbc:PayableAmount currencyID="RON">-23.74</cbc:PayableAmount>' in xml
    assert validate_cii(invoice_cii(invoice)) == []
