"""T4 (area C): after a meter exchange on a service point (the new meter gets the
old one's register codes, as ``metering.exchange`` makes it), NEM12, Green Button
and MSCONS rows are matched by service point and register code to the first meter
the database returns: the removed one. A November file after an October exchange
stores its readings and days of intervals on the removed meter; the bill run
leaves them out ("read after its removal; not used") and holds the time-of-use
contract for "no interval data for 30 of the 30 days". Radio telegrams already
go to the meter installed on the reading's day; these formats should too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from builders import make_contract
from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Register
from meterbill.premises.models import ServicePoint
from meterbill.tariffs.models import Tariff

D = Decimal
TODAY = date(2026, 12, 4)
POINT = "RetailCustomer/9/UsagePoint/1"
R = f"https://dc.example/espi/1_1/resource/{POINT}"
NOVEMBER = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]
# Weekdays 08:00-20:00 peak (period 1, 0.25/kWh), other hours 0.10/kWh; 5/kW of
# the month's highest hour; 10 a month.
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


def feed(readings: str) -> str:
    """One usage point, one meter reading in Wh; no local time: days are UTC."""
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
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


def every_hour_of(days: list[date]) -> str:
    """1000 Wh in every hour of the days."""
    out = []
    for day in days:
        midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        out += [
            f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
            f"<e:start>{midnight + 3600 * h}</e:start></e:timePeriod>"
            f"<e:value>1000</e:value></e:IntervalReading>"
            for h in range(24)
        ]
    return "".join(out)


@pytest.fixture
def exchanged(org, branches, tmp_path):
    """Usage point POINT (south) on contract T-1 with the URDB tariff TOU; meter
    E-1 removed on 15 October 2026, E-2 installed that day, both with register 01
    in kWh; period November 2026."""
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
        south, "T-1", "T1", "Tou Customer SRL", [tariff], service_point=point
    )
    registers = {}
    for serial, installed, removed in (
        ("E-1", date(2020, 1, 1), date(2026, 10, 15)),
        ("E-2", date(2026, 10, 15), None),
    ):
        meter = Meter.objects.create(
            branch=south,
            kind="service_point",
            utility_id=tariff.utility_id,
            serial=serial,
            service_point=point,
            installed_on=installed,
            removed_on=removed,
        )
        registers[serial] = Register.objects.create(meter=meter, code="01", unit="kWh")
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))
    return {"branch": south, "contract": contract, "period": period, **registers}


def test_a_file_after_an_exchange_goes_to_the_installed_meter(exchanged):
    # given E-1's first half of October, then every hour of November 2026 at
    # 1 kWh, imported after the exchange
    october = [date(2026, 10, 1) + timedelta(days=d) for d in range(14)]
    import_readings(
        feed(every_hour_of(october)).encode(),
        fmt="greenbutton",
        branch=exchanged["branch"],
        filename="october.xml",
        options=ImportOptions(today=TODAY),
    )
    import_readings(
        feed(every_hour_of(NOVEMBER)).encode(),
        fmt="greenbutton",
        branch=exchanged["branch"],
        filename="november.xml",
        options=ImportOptions(today=TODAY),
    )

    # then the days of intervals are the installed meter's
    assert IntervalDay.objects.filter(register=exchanged["E-2"]).count() == 30

    # and November is billed from them: 21 weekdays × 12 peak hours = 252 kWh at
    # 0.25 = 63.00; the other 720 − 252 = 468 kWh at 0.10 = 46.80; 1 kW × 5 =
    # 5.00; fixed 10.00: net 124.80
    bill_period(exchanged["period"], issue_date=TODAY)
    invoice = Invoice.objects.get(contract=exchanged["contract"])
    assert invoice.total_net == D("124.80")
