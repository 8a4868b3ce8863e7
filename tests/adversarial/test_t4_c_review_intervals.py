"""T4 (area C): the review queue does not reach the days of intervals. A day of a
service point whose intervals are a meter fault (90 kWh every hour of 18 November
2026 against 1 kWh on every other day) raises ``spike``; the reviewer corrects the
day's reading to 24 kWh (``billing.review.correct_finding``, the documented way to
fix a reading), and the bill run issues the same 943.60 as before: time-of-use
energy and the 90 kW demand come from the untouched ``IntervalDay``. Corrected
(or rejected) readings should take their day's intervals out of the hourly load,
or hold the contract until the intervals are replaced."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.management import call_command

from builders import make_contract
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period, RuleSetting
from meterbill.billing.periods import open_period
from meterbill.billing.review import correct_finding
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import ServicePoint
from meterbill.tariffs.models import Tariff

D = Decimal
TODAY = date(2026, 12, 4)
SPIKE = date(2026, 11, 18)  # a Wednesday
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
RATE = {
    "label": "TOU test",
    "energyratestructure": [[{"rate": 0.10, "unit": "kWh"}], [{"rate": 0.25}]],
    "energyweekdayschedule": [[1 if 8 <= h < 20 else 0 for h in range(24)]] * 12,
    "energyweekendschedule": [[0] * 24] * 12,
    "flatdemandstructure": [[{"rate": 5.0}]],
    "flatdemandmonths": [0] * 12,
    "fixedchargefirstmeter": 10.0,
    "fixedchargeunits": "$/month",
}


def feed(days: list[date], wh: int = 1000) -> bytes:
    """``wh`` in every hour of the days (UTC: the feed has no local time)."""
    readings = []
    for day in days:
        midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        readings += [
            f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
            f"<e:start>{midnight + 3600 * h}</e:start></e:timePeriod>"
            f"<e:value>{wh}</e:value></e:IntervalReading>"
            for h in range(24)
        ]
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>0</e:powerOfTenMultiplier><e:uom>72</e:uom>
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{"".join(readings)}</e:IntervalBlock></content></entry>
</feed>""".encode()


def test_a_corrected_day_is_not_billed_from_its_faulty_intervals(
    org, branches, tmp_path
):
    south = branches["south"]
    call_command(
        "add_utility", code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip
    rate = tmp_path / "tou.json"
    rate.write_text(json.dumps(RATE))
    call_command(
        "import_tariff", str(rate), format="urdb", code="TOU", utility="power",
        valid_from="2026-01-01", vat="19",
    )  # fmt: skip
    tariff = Tariff.objects.get(code="TOU")
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    contract = make_contract(
        south, "T-1", "T1", "Client SRL", [tariff], service_point=point
    )
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility_id=tariff.utility_id,
        serial="E-1", service_point=point,
    )  # fmt: skip
    Register.objects.create(meter=meter, code="01", unit="kWh")
    # given September to November 2026 at 1 kWh an hour, but 90 kWh every hour of
    # 18 November; a spike holds the invoice in this branch
    days = [date(2026, 9, 1) + timedelta(days=d) for d in range(91)]
    for name, text in (
        ("spike.xml", feed([SPIKE], wh=90000)),
        ("autumn.xml", feed([d for d in days if d != SPIKE])),
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
