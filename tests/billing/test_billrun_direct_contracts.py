from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice

D = Decimal


def test_it_bills_a_service_point_contract_from_consumption_readings(
    service_point_contract,
):
    # given contract D1 with 300.75 kWh of interval totals in November (conftest)

    run = bill_period(service_point_contract["period"], issue_date=date(2026, 12, 4))

    # then one invoice without an apartment: 300.750 kWh × 0.80 = 240.60, fixed
    # 1 month × 10.00 = 10.00; net 250.60, VAT 19% = 47.614 → 47.61, gross 298.21
    assert (run.summary["contracts"], run.summary["apartments"]) == (1, 0)
    inv = Invoice.objects.get(contract=service_point_contract["contract"])
    assert inv.apartment is None
    metered = inv.lines.get(description="Electricity – metered")
    assert metered.quantity == D("300.750")
    assert metered.net_amount == D("240.60")
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("250.60"),
        D("47.61"),
        D("298.21"),
    )
    assert inv.full_number == "S-2026-000001"
