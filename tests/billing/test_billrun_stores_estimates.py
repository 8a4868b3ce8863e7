from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading

D = Decimal


def test_it_stores_the_estimate_as_a_reading_and_shows_it_in_the_trace(small_building):
    # given apartment 1 has no closing reading: 30 Sep 90, 31 Oct 100 only
    apt1 = small_building["apartments"][0]
    Reading.objects.filter(
        register__meter__apartment=apt1, read_on=date(2026, 11, 30)
    ).delete()

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then the closing index is estimated: 10 m3 / 31 days × 30 days = 9.677419…
    # → 100 + 9.677 = 109.677, stored as an estimated reading on 30 Nov
    estimate = Reading.objects.get(
        register__meter__apartment=apt1, read_on=date(2026, 11, 30)
    )
    assert estimate.status == Reading.Status.ESTIMATED
    assert estimate.method == "average_daily"
    assert estimate.source == Reading.Source.ESTIMATE
    assert estimate.value == D("109.677")
    assert run.summary["estimated"] == 1
    assert run.summary["findings"] == {"missing_reading": 1}
    # and the invoice line's trace names the estimate
    inv = Invoice.objects.get(apartment=apt1)
    own = inv.lines.get(description="Cold water – own meter")
    assert own.quantity == D("9.677")
    [consumption] = own.trace["consumption"]
    assert consumption["estimate"]["value"] == "109.677"
    assert consumption["estimate"]["method"] == "average_daily"
    # and the common consumption is 66 − (9.677 + 20 + 30) = 6.323 m3, by persons
    # 1/2/3 in 0.001 steps: 1.05383…, 2.10766…, 3.1615 → floors 1.053 + 2.107 + 3.161
    # = 6.321, the two steps left to the largest remainders: 1.054, 2.108, 3.161
    common = Invoice.objects.filter(period=small_building["period"]).values_list(
        "apartment__number", "lines__quantity", "lines__description"
    )
    shares = {
        number: qty
        for number, qty, text in common
        if text == "Cold water – common consumption (by persons)"
    }
    assert shares == {"1": D("1.054"), "2": D("2.108"), "3": D("3.161")}


def test_it_does_not_store_the_estimate_twice_when_run_again(small_building):
    apt1 = small_building["apartments"][0]
    Reading.objects.filter(
        register__meter__apartment=apt1, read_on=date(2026, 11, 30)
    ).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then one estimated reading, and no second invoice
    assert Reading.objects.filter(status=Reading.Status.ESTIMATED).count() == 1
    assert Invoice.objects.filter(apartment=apt1).count() == 1
