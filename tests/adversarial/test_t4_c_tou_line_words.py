"""T4 (area C): time-of-use and demand lines are worded in code, in English:
"<component>, month 11, period 0" and "<component>, month 11, flat". A Romanian
customer's invoice (Customer.language "ro") reads "month", "period" and "flat"
where every other priced line takes its standard words from the catalogue in the
customer's language (docs/limits.md); the catalogue already has "month". The
period number is URDB's 0-based index, which says nothing to a customer."""

from __future__ import annotations

from datetime import date, timedelta

from builders import make_contract
from intervals_world import POINT, every_hour_of, green_button, register_on, tou_tariff
from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.premises.models import ServicePoint

TODAY = date(2026, 12, 4)


def test_a_romanian_customer_reads_the_time_of_use_lines_in_romanian(
    org, branches, tmp_path
):
    south = branches["south"]
    tariff = tou_tariff(tmp_path)
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    contract = make_contract(
        south, "T-1", "T1", "Client SRL", [tariff], service_point=point,
        language="ro",
    )  # fmt: skip
    register_on(point, tariff.utility, "E-1")
    import_readings(
        green_button(
            every_hour_of(date(2026, 11, 1) + timedelta(days=d) for d in range(30))
        ).encode(),
        fmt="greenbutton",
        branch=south,
        filename="november.xml",
        options=ImportOptions(today=TODAY),
    )
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))

    bill_period(period, issue_date=TODAY)

    # then the invoice bills the month (a sanity check: 468 kWh off-peak, 252
    # peak, 1 kW) and no line carries the English words the code adds
    invoice = Invoice.objects.get(contract=contract)
    texts = [line.description for line in invoice.lines.all()]
    assert len(texts) == 4, texts
    for english in (", month ", ", period ", ", flat"):
        assert not any(english in text for text in texts), texts
