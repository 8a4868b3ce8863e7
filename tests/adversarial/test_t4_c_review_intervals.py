"""T4 (area C): the review queue does not reach the days of intervals. A day of a
service point whose intervals are a meter fault (90 kWh every hour of 18 November
2026 against 1 kWh on every other day) raises ``spike``; the reviewer corrects the
day's reading to 24 kWh (``billing.review.correct_finding``, the documented way to
fix a reading), and the bill run issues the same 943.60 as before: time-of-use
energy and the 90 kW demand come from the untouched ``IntervalDay``. Corrected
(or rejected) readings should take their day's intervals out of the hourly load,
or hold the contract until the intervals are replaced."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from builders import make_contract
from intervals_world import POINT, every_hour_of, green_button, register_on, tou_tariff
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period, RuleSetting
from meterbill.billing.periods import open_period
from meterbill.billing.review import correct_finding
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Reading
from meterbill.premises.models import ServicePoint

D = Decimal
TODAY = date(2026, 12, 4)
SPIKE = date(2026, 11, 18)  # a Wednesday


def test_a_corrected_day_is_not_billed_from_its_faulty_intervals(
    org, branches, tmp_path
):
    south = branches["south"]
    tariff = tou_tariff(tmp_path)
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    contract = make_contract(
        south, "T-1", "T1", "Client SRL", [tariff], service_point=point
    )
    register_on(point, tariff.utility, "E-1")
    # given September to November 2026 at 1 kWh an hour, but 90 kWh every hour of
    # 18 November; a spike holds the invoice in this branch
    days = [date(2026, 9, 1) + timedelta(days=d) for d in range(91)]
    for name, text in (
        ("spike.xml", green_button(every_hour_of([SPIKE], wh=90000)).encode()),
        (
            "autumn.xml",
            green_button(every_hour_of(d for d in days if d != SPIKE)).encode(),
        ),
    ):
        import_readings(
            text, fmt="greenbutton", branch=south, filename=name,
            options=ImportOptions(today=TODAY),
        )  # fmt: skip
    RuleSetting.objects.create(branch=south, rule="spike", severity="block")
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))
    bill_period(period, issue_date=TODAY)
    spike = Finding.objects.get(rule="spike")

    # when the reviewer corrects the day to 24 kWh and the period is billed again
    correct_finding(spike.pk, user=None, value=D(24), reason="meter fault")
    assert Reading.objects.get(read_on=SPIKE).value == D(24)
    bill_period(Period.objects.get(pk=period.pk), issue_date=TODAY)

    # then November is billed as 720 kWh at 1 kW: 252 kWh peak × 0.25 = 63.00,
    # 468 off-peak × 0.10 = 46.80, 1 kW × 5 = 5.00, fixed 10.00 = 124.80 net (not
    # 943.60: 2,856 kWh and 90 kW); or held until the day's intervals are mended
    invoice = Invoice.objects.filter(contract=contract).first()
    if invoice is None:
        assert Finding.objects.filter(rule="tariff_needs_intervals").exists()
    else:
        assert invoice.total_net == D("124.80")
