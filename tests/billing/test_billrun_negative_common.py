from datetime import date

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import InvoiceLine
from meterbill.metering.models import Reading


def test_it_flags_negative_common_consumption_and_distributes_none(small_building):
    # given the main meter reads 1000 → 1050 (50 m3) under apartments using 60 m3
    Reading.objects.filter(
        register__meter__serial="MAIN", read_on=date(2026, 11, 30)
    ).update(value=1050)

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then a negative_common finding on the residence, for review (not blocking)
    finding = Finding.objects.get(rule="negative_common")
    assert finding.residence_id == small_building["residence"].pk
    assert finding.severity == "review"
    assert "-10" in finding.message
    assert run.summary["findings"] == {"negative_common": 1}
    # and all three are invoiced, with own-meter lines only: no common lines
    assert run.summary["issued"] == 3
    descriptions = set(InvoiceLine.objects.values_list("description", flat=True))
    assert descriptions == {"Cold water – own meter", "Cold water – fixed charge"}
