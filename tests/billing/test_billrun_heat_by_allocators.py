from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice, InvoiceLine

D = Decimal


def test_it_splits_the_heat_bill_by_corrected_allocator_units_to_the_cent(
    heated_building,
):
    # given the heated building (see conftest): 110 / 161.5 / 202.5 corrected units
    # and a provider bill of 1000.00 RON net

    bill_period(heated_building["period"], issue_date=date(2026, 12, 4))

    # then the heat lines are 232.07 / 340.72 / 427.21 and add up to 1000.00
    lines = InvoiceLine.objects.filter(
        description="Heating – by heat cost allocators"
    ).order_by("invoice__apartment__number")
    amounts = [ln.net_amount for ln in lines]
    assert amounts == [D("232.07"), D("340.72"), D("427.21")]
    assert sum(amounts) == D("1000.00")
    # and each line shows its corrected units and the key
    first = lines[0]
    assert first.quantity == D("110.000")
    assert D(first.trace["share"]["key_total"]) == D("474")
    assert D(first.trace["allocators"][0]["corrected_units"]) == D("110")
    # and VAT is the provider bill's 21%: 232.07 × 21% = 48.7347 → 48.73
    inv = Invoice.objects.get(apartment=heated_building["apartments"][0])
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("232.07"),
        D("48.73"),
        D("280.80"),
    )
