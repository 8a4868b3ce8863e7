"""A formula reads a price list stored with its tariff version: the bill run rates
with the version's lookup tables, by a quoted key or by a variable's value, and a
key the table lacks holds only that contract's invoice with a ``tariff_error``.

Small building (tests/conftest.py): own + common consumption 11, 22 and 33 m3;
persons 1, 2 and 3; COLD's version from 2026-01-01, VAT 11%."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice, InvoiceLine

D = Decimal
ISSUED = date(2026, 12, 4)


def _price_with(small_building, formula, **tables):
    """COLD's version prices with one formula component and the given tables."""
    from meterbill.tariffs.models import LookupTable, TariffComponent

    version = small_building["tariff"].versions.get()
    for name, rows in tables.items():
        LookupTable.objects.create(version=version, name=name, rows=rows)
    TariffComponent.objects.create(
        version=version,
        position=1,
        kind="formula",
        code="WATER",
        description="Cold water",
        formula=formula,
    )


def _net_by_apartment(small_building):
    return [
        Invoice.objects.get(apartment=apt).total_net
        for apt in small_building["apartments"]
    ]


def test_it_prices_with_the_value_of_a_quoted_key(small_building):
    # given zone A at 1.20 RON/m3 and zone B at 0.95
    _price_with(
        small_building,
        'consumption * lookup("zone", "A")',
        zone=[["A", "1.20"], ["B", "0.95"]],
    )

    run = bill_period(small_building["period"], issue_date=ISSUED)

    # then 11 × 1.20 = 13.20, 22 × 1.20 = 26.40, 33 × 1.20 = 39.60
    assert run.summary["issued"] == 3
    assert _net_by_apartment(small_building) == [D("13.20"), D("26.40"), D("39.60")]
    # and VAT 11%: 13.20 × 0.11 = 1.452 → 1.45
    first = Invoice.objects.get(apartment=small_building["apartments"][0])
    assert first.total_vat == D("1.45")
    # and the line's trace shows the value the lookup found
    line = InvoiceLine.objects.get(invoice=first)
    steps = line.trace["formula_trace"]["steps"]
    assert ['lookup("zone", "A")', "1.20"] in steps


def test_it_looks_up_a_variables_value(small_building):
    # given a price per m3 by the number of persons (1 → 2.00, 2 → 1.50, 3 → 1.00)
    _price_with(
        small_building,
        'consumption * lookup("by_persons", persons)',
        by_persons=[["1", "2.00"], ["2", "1.50"], ["3", "1.00"]],
    )

    bill_period(small_building["period"], issue_date=ISSUED)

    # then 11 × 2.00 = 22.00, 22 × 1.50 = 33.00, 33 × 1.00 = 33.00
    assert _net_by_apartment(small_building) == [D("22.00"), D("33.00"), D("33.00")]


def test_a_key_missing_from_the_table_holds_only_that_contract(small_building):
    # given a price list without a row for 3 persons
    _price_with(
        small_building,
        'consumption * lookup("by_persons", persons)',
        by_persons=[["1", "2.00"], ["2", "1.50"]],
    )

    run = bill_period(small_building["period"], issue_date=ISSUED)

    # then apartments 1 and 2 are billed
    apt1, apt2, apt3 = small_building["apartments"]
    assert Invoice.objects.get(apartment=apt1).total_net == D("22.00")
    assert Invoice.objects.get(apartment=apt2).total_net == D("33.00")
    assert run.summary["issued"] == 2
    # and apartment 3's invoice is held with a finding naming the table and key
    assert not Invoice.objects.filter(apartment=apt3).exists()
    finding = Finding.objects.get(rule="tariff_error")
    assert finding.subject == f"contract:{apt3.contract_set.get().pk}"
    assert finding.severity == "block"
    assert "lookup table 'by_persons' has no number for key '3'" in finding.message
    assert "tariff COLD" in finding.message
    assert "line 1, column 15" in finding.message
