"""T4 (area C): time-of-use and demand lines are worded in code, in English:
"<component>, month 11, period 0" and "<component>, month 11, flat". A Romanian
customer's invoice (Customer.language "ro") reads "month", "period" and "flat"
where every other priced line takes its standard words from the catalogue in the
customer's language (docs/limits.md); the catalogue already has "month". The
period number is URDB's 0-based index, which says nothing to a customer."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command

from builders import make_contract
from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
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
    "flatdemandstructure": [[{"rate": 5.0}]],
    "flatdemandmonths": [0] * 12,
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


def test_a_romanian_customer_reads_the_time_of_use_lines_in_romanian(
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
        south, "T-1", "T1", "Client SRL", [tariff], service_point=point,
        language="ro",
    )  # fmt: skip
    meter = Meter.objects.create(
        branch=south, kind="service_point", utility_id=tariff.utility_id,
        serial="E-1", service_point=point,
    )  # fmt: skip
    Register.objects.create(meter=meter, code="01", unit="kWh")
    import_readings(
        feed([date(2026, 11, 1) + timedelta(days=d) for d in range(30)]),
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
