import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.formats.einvoice.validate import validate_ubl
from meterbill.invoicing.advances import AdvanceError, issue_advance, settle
from meterbill.invoicing.einvoice import invoice_xml
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading

from .test_corrections_helpers import make_gas_point

D = Decimal
REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
XSD = CORPUS / "einvoice" / "ubl-2.1-xsd"


@pytest.fixture
def advanced(org, branches, bob):
    """The gas point with its December 2026 advance (net 630.00, gross 762.30)."""
    gas = make_gas_point(org, branches)
    gas["advance"] = issue_advance(
        gas["contract"],
        gas["period"],
        bob,
        gas["temperatures"],
        issue_date=date(2026, 11, 25),
    )
    return gas


def _read_december(gas, consumption_m3):
    Reading.objects.create(
        register=gas["register"],
        read_on=date(2026, 12, 31),
        value=gas["last_index"] + consumption_m3,
        source="manual",
    )


def test_it_settles_the_actual_lines_less_the_advance(advanced, bob):
    # given 350 m3 actually used in December
    _read_december(advanced, 350)

    inv = settle(advanced["contract"], advanced["period"], bob, date(2027, 1, 5))

    # then 350 × 2.00 = 700.00 + fixed 10.00 − advance 630.00 = net 80.00,
    # VAT 21 % = 16.80, gross 96.80
    rows = [(ln.quantity, ln.unit_price_net, ln.net_amount) for ln in inv.lines.all()]
    assert rows == [
        (D("350"), D("2.00"), D("700.00")),
        (D("1"), D("10.00"), D("10.00")),
        (D("-1"), D("630.00"), D("-630.00")),
    ]
    assert (inv.kind, inv.total_net, inv.total_vat, inv.total_gross) == (
        Invoice.Kind.INVOICE,
        D("80.00"),
        D("16.80"),
        D("96.80"),
    )
    assert Invoice.objects.get(pk=advanced["advance"].pk).settled_by_id == inv.pk


def test_the_bill_run_does_not_bill_a_settled_period_again(advanced, bob):
    _read_december(advanced, 350)
    settle(advanced["contract"], advanced["period"], bob, date(2027, 1, 5))

    run = bill_period(advanced["period"], issue_date=date(2027, 1, 6))

    assert run.summary["issued"] == 0
    assert Invoice.objects.filter(period=advanced["period"]).count() == 2


def test_it_refuses_to_settle_a_period_the_bill_run_invoiced(advanced, bob):
    _read_december(advanced, 350)
    bill_period(advanced["period"], issue_date=date(2027, 1, 6))

    with pytest.raises(AdvanceError, match="already billed by invoice S-2027"):
        settle(advanced["contract"], advanced["period"], bob, date(2027, 1, 7))

    assert Invoice.objects.get(pk=advanced["advance"].pk).settled_by_id is None


@pytest.mark.corpus
@pytest.mark.skipif(not XSD.is_dir(), reason="no UBL 2.1 schemas in the corpus")
def test_a_settlement_below_its_advance_is_a_valid_cius_ro_invoice(advanced, bob):
    # given 250 m3: 500.00 + 10.00 − 630.00 = −120.00 net, VAT −25.20, −145.20
    _read_december(advanced, 250)
    inv = settle(advanced["contract"], advanced["period"], bob, date(2027, 1, 5))

    xml = invoice_xml(Invoice.objects.get(pk=inv.pk))

    assert inv.total_gross == D("-145.20")
    assert (
        b'<cbc:InvoicedQuantity unitCode="C62">-1.000000</cbc:InvoicedQuantity>' in xml
    )
    assert validate_ubl(xml, XSD, rules=True) == []
