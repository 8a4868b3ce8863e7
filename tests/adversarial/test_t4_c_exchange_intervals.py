"""T4 (area C): after a meter exchange on a service point (the new meter gets the
old one's register codes, as ``metering.exchange`` makes it), NEM12, Green Button
and MSCONS rows are matched by service point and register code to the first meter
the database returns: the removed one. A November file after an October exchange
stores its readings and days of intervals on the removed meter; the bill run
leaves them out ("read after its removal; not used") and holds the time-of-use
contract for "no interval data for 30 of the 30 days". Radio telegrams already
go to the meter installed on the reading's day; these formats should too."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from builders import make_contract
from intervals_world import POINT, every_hour_of, green_button, register_on, tou_tariff
from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay
from meterbill.premises.models import ServicePoint

D = Decimal
TODAY = date(2026, 12, 4)
NOVEMBER = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]


@pytest.fixture
def exchanged(org, branches, tmp_path):
    """Usage point POINT (south) on contract T-1 with the URDB tariff TOU; meter
    E-1 removed on 15 October 2026, E-2 installed that day, both with register 01
    in kWh; period November 2026."""
    south = branches["south"]
    tariff = tou_tariff(tmp_path)
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    contract = make_contract(
        south, "T-1", "T1", "Tou Customer SRL", [tariff], service_point=point
    )
    registers = {}
    for serial, installed, removed in (
        ("E-1", date(2020, 1, 1), date(2026, 10, 15)),
        ("E-2", date(2026, 10, 15), None),
    ):
        registers[serial] = register_on(
            point, tariff.utility, serial, installed_on=installed, removed_on=removed
        )
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))
    return {"branch": south, "contract": contract, "period": period, **registers}


def test_a_file_after_an_exchange_goes_to_the_installed_meter(exchanged):
    # given E-1's first half of October, then every hour of November 2026 at
    # 1 kWh, imported after the exchange
    october = [date(2026, 10, 1) + timedelta(days=d) for d in range(14)]
    import_readings(
        green_button(every_hour_of(october)).encode(),
        fmt="greenbutton",
        branch=exchanged["branch"],
        filename="october.xml",
        options=ImportOptions(today=TODAY),
    )
    import_readings(
        green_button(every_hour_of(NOVEMBER)).encode(),
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
