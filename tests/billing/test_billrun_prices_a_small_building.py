from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice

D = Decimal


def test_it_bills_own_and_common_consumption_with_fixed_charge_and_vat(small_building):
    # given the small building (see conftest): own 10/20/30 m3, common 6 m3 by persons

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then three invoices; apartment 2: own 20 m3 × 5 = 100.00, common 2 m3 × 5 = 10.00,
    # fixed 1 month × 2.00 = 2.00; net 112.00, VAT 11% = 12.32, gross 124.32
    assert run.summary["issued"] == 3
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    lines = {ln.description: ln for ln in inv.lines.all()}
    assert lines["Cold water – own meter"].quantity == D("20")
    assert lines["Cold water – common consumption (by persons)"].quantity == D("2")
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("112.00"),
        D("12.32"),
        D("124.32"),
    )
    assert inv.full_number == "N-2026-000002"


def test_it_issues_nothing_twice_when_run_again(small_building):
    period = small_building["period"]
    bill_period(period, issue_date=date(2026, 12, 4))

    again = bill_period(period, issue_date=date(2026, 12, 4))

    assert again.summary["issued"] == 0
    assert Invoice.objects.filter(period=period).count() == 3
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3]
