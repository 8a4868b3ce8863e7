"""The payment list: a row per apartment, a column per cost, column totals equal to
the sum of the rows and to the invoices' totals, provider bill beside the heat."""

from decimal import Decimal

from meterbill.billing.payment_list import build_payment_list
from meterbill.invoicing.models import Invoice

D = Decimal


def test_it_splits_each_apartment_into_cost_columns(billed_building):
    res, period = billed_building["residence"], billed_building["period"]

    plist = build_payment_list(res, period)

    # then apartment 2 (2 persons): own 20 m3 × 5 = 100.00, common 2 m3 × 5 = 10.00,
    # fixed 2.00, heat 33.33 (see conftest); VAT 12.32 + 7.00 (21% of 33.33)
    assert [c.label for c in plist.columns] == [
        "Cold water – own consumption",
        "Cold water – common share",
        "Cold water – fixed charge",
        "Heating – by heat cost allocators",
    ]
    apt2 = plist.rows[1]
    assert apt2.apartment.number == "2"
    assert apt2.cells(plist.columns) == [D("100.00"), D("10.00"), D("2.00"), D("33.33")]
    assert (apt2.net, apt2.vat, apt2.gross) == (D("145.33"), D("19.32"), D("164.65"))


def test_its_column_totals_equal_the_rows_and_the_invoices(billed_building):
    res, period = billed_building["residence"], billed_building["period"]

    plist = build_payment_list(res, period)

    # then own 60 m3 × 5, common 6 m3 × 5, fixed 3 × 2.00, heat the whole 100.00 bill
    assert [c.total for c in plist.columns] == [
        D("300.00"),
        D("30.00"),
        D("6.00"),
        D("100.00"),
    ]
    for i, col in enumerate(plist.columns):
        assert col.total == sum(r.cells(plist.columns)[i] for r in plist.rows)
    invoices = Invoice.objects.filter(period=period)
    assert plist.net == sum(inv.total_net for inv in invoices) == D("436.00")
    assert plist.vat == sum(inv.total_vat for inv in invoices) == D("57.96")
    assert plist.gross == sum(inv.total_gross for inv in invoices) == D("493.96")


def test_it_names_each_columns_method_and_the_provider_bill(billed_building):
    res, period = billed_building["residence"], billed_building["period"]

    plist = build_payment_list(res, period)

    common, heat = plist.columns[1], plist.columns[3]
    assert common.methods[0].startswith("persons: main meter − Σ apartment meters")
    assert heat.methods[0].startswith("allocator units × KQ × KC (EN 834)")
    assert heat.provider_bill is not None
    assert heat.provider_bill.amount_net == D("100.00")
    assert plist.columns[0].provider_bill is None
