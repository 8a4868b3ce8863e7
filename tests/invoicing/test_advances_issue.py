import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.formats.einvoice.validate import validate_ubl
from meterbill.invoicing.advances import AdvanceError, issue_advance
from meterbill.invoicing.einvoice import invoice_xml
from meterbill.invoicing.models import Invoice

from .test_corrections_helpers import make_gas_point

D = Decimal
REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
XSD = CORPUS / "einvoice" / "ubl-2.1-xsd"


@pytest.fixture
def gas_point(org, branches):
    return make_gas_point(org, branches)


def test_it_issues_an_advance_from_the_weather_normalised_forecast(gas_point, bob):
    # given a year in which gas use was 1 m3/day + 0.5 m3 per HDD (base 18 °C), and
    # a December 2025 at 0 °C: normal December weather is 18 HDD a day

    adv = issue_advance(
        gas_point["contract"],
        gas_point["period"],
        bob,
        gas_point["temperatures"],
        issue_date=date(2026, 11, 25),
    )

    # then 31 days × (1 + 0.5 × 18) = 310 m3 × 2.00 = 620.00, fixed 10.00:
    # net 630.00, VAT 21 % = 132.30, gross 762.30
    lines = {ln.description: ln for ln in adv.lines.all()}
    assert lines["Gas – advance 2026-12 (forecast)"].quantity == D("310")
    assert lines["Gas – advance 2026-12 (forecast)"].net_amount == D("620.00")
    assert lines["Gas – fixed charge"].net_amount == D("10.00")
    assert (adv.kind, adv.full_number) == (Invoice.Kind.ADVANCE, "S-2026-000001")
    assert (adv.total_net, adv.total_vat, adv.total_gross) == (
        D("630.00"),
        D("132.30"),
        D("762.30"),
    )
    trace = lines["Gas – advance 2026-12 (forecast)"].trace["forecast"][0]
    assert trace["heating_balance"] == 18.0
    assert AuditEvent.objects.filter(action="invoice.advance_issued").count() == 1


def test_it_issues_the_advance_of_a_period_once(gas_point, bob):
    args = (gas_point["contract"], gas_point["period"], bob, gas_point["temperatures"])
    first = issue_advance(*args, issue_date=date(2026, 11, 25))

    again = issue_advance(*args, issue_date=date(2026, 11, 26))

    assert again.pk == first.pk
    assert Invoice.objects.filter(kind=Invoice.Kind.ADVANCE).count() == 1


def test_it_refuses_an_advance_without_temperatures(gas_point, bob):
    with pytest.raises(AdvanceError, match="meter G1: 0 usable intervals"):
        issue_advance(gas_point["contract"], gas_point["period"], bob, {})

    assert not Invoice.objects.exists()


@pytest.mark.corpus
@pytest.mark.skipif(not XSD.is_dir(), reason="no UBL 2.1 schemas in the corpus")
def test_its_advance_is_a_valid_en16931_prepayment_invoice(gas_point, bob):
    adv = issue_advance(
        gas_point["contract"],
        gas_point["period"],
        bob,
        gas_point["temperatures"],
        issue_date=date(2026, 11, 25),
    )

    xml = invoice_xml(Invoice.objects.get(pk=adv.pk))

    assert b"<cbc:InvoiceTypeCode>386</cbc:InvoiceTypeCode>" in xml
    assert validate_ubl(xml, XSD, rules=True) == []
