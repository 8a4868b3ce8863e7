"""T4 (area C): a service point contract held because days of the period lack
intervals (``tariff_needs_intervals``) gets no lines, and the bill run counts
"held" only for charges with lines and "findings" only from consumption and
residence findings. The run reports issued 0, held 0, findings {} and marks the
period *invoiced*, though its one contract was not billed: the operator is told
nothing is waiting. (The same code path serves ``tariff_missing`` and
``tariff_error``; the intervals make this one an everyday case.)"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command

from builders import make_contract
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period
from meterbill.billing.periods import open_period
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Register
from meterbill.premises.models import ServicePoint
from meterbill.tariffs.models import Tariff

TODAY = date(2026, 12, 4)
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
RATE = {
    "label": "TOU test",
    "energyratestructure": [[{"rate": 0.10, "unit": "kWh"}], [{"rate": 0.25}]],
    "energyweekdayschedule": [[1 if 8 <= h < 20 else 0 for h in range(24)]] * 12,
    "energyweekendschedule": [[0] * 24] * 12,
    "fixedchargefirstmeter": 10.0,
    "fixedchargeunits": "$/month",
}


def feed(days: list[date]) -> bytes:
    """1000 Wh in every hour of the days (UTC: the feed has no local time)."""
    readings = []
    for day in days:
        midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        readings += [
            f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
            f"<e:start>{midnight + 3600 * h}</e:start></e:timePeriod>"
            f"<e:value>1000</e:value></e:IntervalReading>"
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


def test_a_contract_held_for_missing_intervals_is_reported_held(
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
    make_contract(south, "T-1", "T1", "Tou Customer SRL", [tariff], service_point=point)
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility_id=tariff.utility_id,
        serial="E-1", service_point=point,
    )  # fmt: skip
    Register.objects.create(meter=meter, code="01", unit="kWh")
    # given November 2026 without its 5th day
    days = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]
    import_readings(
        feed([d for d in days if d.day != 5]),
        fmt="greenbutton",
        branch=south,
        filename="gap.xml",
        options=ImportOptions(today=TODAY),
    )
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))

    run = bill_period(period, issue_date=TODAY)

    # then the contract waits with its finding, and the run and period say so
    assert Finding.objects.filter(rule="tariff_needs_intervals").count() == 1
    assert run.summary["issued"] == 0
    assert run.summary["held"] == 1
    assert run.summary["findings"].get("tariff_needs_intervals") == 1
    assert Period.objects.get(pk=period.pk).state != Period.State.INVOICED
