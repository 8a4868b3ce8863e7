from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import InvoiceLine
from meterbill.metering.models import Reading

COMMON = "Cold water – common consumption (by persons)"


def test_a_blocked_meter_counts_with_its_estimate_in_the_common_sum(small_building):
    # given apartment 2 misread: 200 on 31 Oct, 190 on 30 Nov (held for review)
    apt1, apt2, apt3 = small_building["apartments"]
    Reading.objects.filter(
        register__meter__apartment=apt2, read_on=date(2026, 11, 30)
    ).update(value=190)

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 2 stands in the common sum with its average daily use:
    # (200 − 190) / 31 days (30 Sep → 31 Oct) × 30 days = 9.677 m3, so
    # common = 66 − (10 + 9.677 + 30) = 16.323 m3, split by persons 1 : 2 : 3 →
    # 2.7205 / 5.441 / 8.1615; rounded once to 0.001 with the spare 0.001 going to
    # the larger weight on a tie of remainders: 2.720 and 8.162 — instead of
    # charging apartment 2's whole consumption to its neighbours.
    common = {
        ln.invoice.apartment_id: ln.quantity
        for ln in InvoiceLine.objects.filter(description=COMMON).select_related(
            "invoice"
        )
    }
    assert common == {apt1.pk: Decimal("2.720"), apt3.pk: Decimal("8.162")}
