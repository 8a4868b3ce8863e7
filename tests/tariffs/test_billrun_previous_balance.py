from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Period
from meterbill.invoicing.models import Invoice
from meterbill.tariffs.models import VatRate

D = Decimal


def test_a_formula_reads_the_customers_unpaid_balance(small_building, with_components):
    # given October billed with the simple prices and left unpaid: apartment 2
    # used 200 − 190 = 10 m3 × 5.00 + 2.00 fixed = 52.00 net + 11% = 57.72 gross
    october = Period.objects.create(
        branch=small_building["period"].branch,
        name="2026-10",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    bill_period(october, issue_date=date(2026, 11, 5))
    apt2 = small_building["apartments"][1]
    assert Invoice.objects.get(period=october, apartment=apt2).total_gross == D("57.72")
    # and COLD priced from now on by a unit price plus 1% of the unpaid balance
    with_components(
        {
            "kind": "unit_price",
            "code": "WATER",
            "description": "Cold water",
            "params": {"unit_price": "5.00"},
        },
        {
            "kind": "formula",
            "code": "INTEREST",
            "description": "Interest on the unpaid balance",
            # exempt (E, 0 %): category O cannot share an invoice with the water's
            # S lines (EN 16931 BR-O-11, BR-O-12), so a version refuses it
            "vat_category": "E",
            "formula": "previous_balance * 0.01",
        },
    )

    # (the e-invoice of an E line states why: the organisation's reason, BR-E-10)
    VatRate.objects.create(
        organisation=small_building["tariff"].organisation,
        category="E",
        rate_percent=D(0),
        valid_from=date(2026, 1, 1),
        exemption_code="VATEX-EU-132",
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then November: own 20 + common 2 m3 × 5.00 = 110.00, and the interest
    # 57.72 × 1% = 0.5772 → 0.58 exempt from VAT (no VAT on it)
    inv = Invoice.objects.get(period=small_building["period"], apartment=apt2)
    interest = inv.lines.get(description="Interest on the unpaid balance")
    assert (interest.net_amount, interest.vat_category) == (D("0.58"), "E")
    assert interest.trace["formula_trace"]["variables"] == {"previous_balance": "57.72"}
    # VAT 11% of 110.00 = 12.10; gross 110.58 + 12.10 = 122.68
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("110.58"),
        D("12.10"),
        D("122.68"),
    )
