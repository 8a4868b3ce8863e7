"""A service point billed with time-of-use energy and a demand charge from the
half-hours of a NEM12 file: the URDB tariff is imported with ``import-tariff``,
the file with ``import_readings``, and the bill run prices November 2026."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from builders import make_contract
from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period
from meterbill.billing.periods import open_period
from meterbill.billing.review import reject_finding
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import IntervalDay, Meter, Reading, Register
from meterbill.premises.models import ServicePoint
from meterbill.tariffs.models import Tariff

D = Decimal
NMI = "6407000001"
TODAY = date(2026, 12, 4)
NOVEMBER = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]
SPIKE_DAY = date(2026, 11, 18)  # a Wednesday

# Weekdays 08:00-20:00 are period 1 (peak), every other hour period 0.
PEAK_HOURS = range(8, 20)
RATE = {
    "label": "TOU test",
    "energyratestructure": [[{"rate": 0.10, "unit": "kWh"}], [{"rate": 0.25}]],
    "energyweekdayschedule": [[1 if h in PEAK_HOURS else 0 for h in range(24)]] * 12,
    "energyweekendschedule": [[0] * 24] * 12,
    "flatdemandstructure": [[{"rate": 5.0}]],
    "flatdemandmonths": [0] * 12,
    "fixedchargefirstmeter": 10.0,
    "fixedchargeunits": "$/month",
}


def half_hours(day: date) -> list[str]:
    """1.0 kWh a half-hour from 08:00 to 20:00, else 0.5; on the spike day the
    half-hours of 14:00 hold 3.0 and 2.0 kWh."""
    values = ["1.0" if i // 2 in PEAK_HOURS else "0.5" for i in range(48)]
    if day == SPIKE_DAY:
        values[28:30] = ["3.0", "2.0"]
    return values


def nem12_file(days: list[date]) -> bytes:
    lines = ["100,NEM12,202612010000,MDA1,RET1", f"200,{NMI},E1,1,E1,N1,M1,kWh,30,"]
    lines += [
        f"300,{d:%Y%m%d},{','.join(half_hours(d))},A,,,20261201000000," for d in days
    ]
    return ("\n".join([*lines, "900"]) + "\n").encode()


@pytest.fixture
def tou_point(org, branches, tmp_path):
    """Service point NMI 6407000001 (south) with meter E-1, register E1 in kWh, on
    contract T-1 with tariff TOU imported from a URDB rate; period November 2026."""
    south = branches["south"]
    call_command(
        "add_utility",
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    rate = tmp_path / "tou.json"
    rate.write_text(json.dumps(RATE))
    call_command(
        "import_tariff",
        str(rate),
        format="urdb",
        code="TOU",
        utility="power",
        valid_from="2026-01-01",
        vat="19",
    )
    point = ServicePoint.objects.create(branch=south, identifier=NMI)
    tariff = Tariff.objects.get(code="TOU")
    contract = make_contract(
        south, "T-1", "T1", "Tou Customer SRL", [tariff], service_point=point
    )
    meter = Meter.objects.create(
        branch=south,
        kind="service_point",
        utility_id=tariff.utility_id,
        serial="E-1",
        service_point=point,
    )
    Register.objects.create(meter=meter, code="E1", unit="kWh")
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))
    return {"branch": south, "contract": contract, "period": period}


def test_it_bills_peak_and_off_peak_energy_and_the_peak_kw(tou_point):
    # given the half-hours of every day of November, imported from NEM12
    report = import_readings(
        nem12_file(NOVEMBER),
        fmt="nem12",
        branch=tou_point["branch"],
        filename="november.csv",
        options=ImportOptions(today=TODAY),
    )
    assert (report.rows_imported, report.interval_days) == (30, 30)

    # when November is billed
    bill_period(tou_point["period"], issue_date=TODAY)

    # then, November 2026 having 21 weekdays and 9 weekend days:
    # peak 21 × 12 h × 2.0 kWh = 504, plus 3 more on the spike day = 507 kWh;
    # off-peak 21 × 12 h × 1.0 + 9 × 24 h × 1.0 (0.5 + 0.5 a half-hour) = 576 kWh;
    # the highest hour is 14:00 on 18 November: 3.0 + 2.0 kWh = 5 kW.
    invoice = Invoice.objects.get(contract=tou_point["contract"])
    lines = {
        line.description: (line.quantity, line.unit_price_net, line.net_amount)
        for line in invoice.lines.all()
    }
    assert lines == {
        "Energy, November, period 1": (D("576.000"), D("0.1"), D("57.60")),
        "Energy, November, period 2": (D("507.000"), D("0.25"), D("126.75")),
        "Demand, November": (D("5.000"), D("5"), D("25.00")),
        "Fixed charge": (D("1"), D("10"), D("10.00")),
    }
    # net 57.60 + 126.75 + 25.00 + 10.00 = 219.35; VAT 19% = 41.6765 → 41.68
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        D("219.35"),
        D("41.68"),
        D("261.03"),
    )
    # the daily readings are still there: 30 days, 1083 kWh in all
    daily = Reading.objects.filter(kind="consumption").values_list("value", flat=True)
    assert sum(daily) == D(576 + 507)


def test_days_without_intervals_hold_the_invoice_naming_them(tou_point):
    # given a file without 5, 6 and 20 November
    missing = [date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20)]
    import_readings(
        nem12_file([d for d in NOVEMBER if d not in missing]),
        fmt="nem12",
        branch=tou_point["branch"],
        filename="gaps.csv",
        options=ImportOptions(today=TODAY),
    )
    assert IntervalDay.objects.count() == 27

    # when November is billed
    run = bill_period(tou_point["period"], issue_date=TODAY)

    # then nothing is issued, and the finding says which days lack intervals
    assert run.summary["issued"] == 0
    finding = Finding.objects.get(rule="tariff_needs_intervals")
    assert finding.message == (
        f"contract {tou_point['contract'].pk}: Electricity tariff TOU has "
        "time-of-use or demand charges and the meter has no interval data for 3 of "
        "the 30 days (2026-11-05, 2026-11-06, 2026-11-20) for 2026-11"
    )


def test_it_bills_a_period_from_mid_month_by_its_days(tou_point):
    # given every day of November imported, and a period of 16-30 November
    import_readings(
        nem12_file(NOVEMBER),
        fmt="nem12",
        branch=tou_point["branch"],
        filename="november.csv",
        options=ImportOptions(today=TODAY),
    )
    Period.objects.all().delete()
    period = open_period(
        tou_point["branch"], "2026-11b", date(2026, 11, 16), date(2026, 11, 30)
    )

    # when it is billed
    bill_period(period, issue_date=TODAY)

    # then its days are: 11 weekdays (with the spike day) and 4 weekend days.
    # Peak 11 × 12 h × 2 kWh + 3 = 267 kWh × 0.25 = 66.75; off-peak 11 × 12 h ×
    # 1 kWh + 4 × 36 kWh = 276 kWh × 0.10 = 27.60; the 5 kW peak × 5.00 × 15/30
    # days = 12.50; fixed 10.00 × 15/30 = 5.00
    invoice = Invoice.objects.get(contract=tou_point["contract"])
    lines = {
        line.description: (line.quantity, line.net_amount)
        for line in invoice.lines.all()
    }
    assert lines == {
        "Energy, November, period 1": (D("276.000"), D("27.60")),
        "Energy, November, period 2": (D("267.000"), D("66.75")),
        "Demand, November": (D("5.000"), D("12.50")),
        "Fixed charge": (D("0.5000"), D("5.00")),
    }
    assert invoice.total_net == D("111.85")


def test_a_meter_removed_before_the_period_is_not_asked_for_a_reading(tou_point):
    # given meter E-1 exchanged on 31 October for E-2, which has every November day
    old = Meter.objects.get(serial="E-1")
    old.removed_on = date(2026, 10, 31)
    old.save(update_fields=["removed_on"])
    Register.objects.filter(meter=old).update(code="OLD")
    new = Meter.objects.create(
        branch=tou_point["branch"],
        kind="service_point",
        utility_id=old.utility_id,
        serial="E-2",
        service_point=old.service_point,
        installed_on=date(2026, 11, 1),
    )
    Register.objects.create(meter=new, code="E1", unit="kWh")
    import_readings(
        nem12_file(NOVEMBER),
        fmt="nem12",
        branch=tou_point["branch"],
        filename="november.csv",
        options=ImportOptions(today=TODAY),
    )

    # when November is billed
    run = bill_period(tou_point["period"], issue_date=TODAY)

    # then the removed meter raises nothing and the invoice is issued (219.35 net)
    assert not Finding.objects.filter(rule="missing_reading").exists()
    assert run.summary["issued"] == 1
    assert Invoice.objects.get().total_net == D("219.35")


def test_a_rejected_day_takes_its_intervals_out_until_a_file_brings_them(tou_point):
    # given November imported, and the spike day's reading flagged for review
    branch = tou_point["branch"]
    import_readings(
        nem12_file(NOVEMBER),
        fmt="nem12",
        branch=branch,
        filename="november.csv",
        options=ImportOptions(today=TODAY),
    )
    reading = Reading.objects.get(read_on=SPIKE_DAY)
    finding = Finding.objects.create(
        period=tou_point["period"],
        subject=f"register:{reading.register_id}",
        rule="spike",
        severity="block",
        message="spike",
        reading=reading,
    )

    # when the reviewer rejects it and the period is billed
    reject_finding(finding.pk, user=None, reason="meter fault")
    run = bill_period(Period.objects.get(pk=tou_point["period"].pk), issue_date=TODAY)

    # then the day's intervals are gone, kept in the audit trail, and the contract
    # waits for them: held and counted
    assert not IntervalDay.objects.filter(day=SPIKE_DAY).exists()
    event = AuditEvent.objects.get(action="interval_day.delete")
    assert event.before["day"] == "2026-11-18"
    assert event.before["values"].startswith("0.5,0.5,")
    assert event.after["resolution"] == "reject"
    held = Finding.objects.get(rule="tariff_needs_intervals")
    assert "no interval data for 1 of the 30 days (2026-11-18)" in held.message
    assert (run.summary["issued"], run.summary["held"]) == (0, 1)
