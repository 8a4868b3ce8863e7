"""T4 (area C): time-of-use energy and demand lines are made only for calendar
months wholly inside a *part* of the period, and the bill run cuts the period into
parts at a new tariff version and at a VAT rate change. A version from 16
November, or a VAT rate from 16 November, leaves no part holding the whole of
November: the invoice is issued with the fixed charge only (10.00), the month's
720 kWh and its demand billed nowhere, and no finding says so. docs/limits.md
names only periods and contracts starting or ending within a month.

Since fixed (docs/formulas.md, "Time-of-use energy and demand when a month is
cut"): each part rates its own days of the month; these tests hold the figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from builders import make_contract
from intervals_world import (
    POINT,
    TOU_RATE,
    add_power,
    every_hour_of,
    green_button,
    import_urdb,
    register_on,
)
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.premises.models import ServicePoint

D = Decimal
TODAY = date(2026, 12, 4)
NOVEMBER = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]


def rate(off_peak: float, peak: float) -> dict:
    """Weekdays 08:00-20:00 at ``peak``, other hours at ``off_peak`` a kWh; 5 a
    kW of the month's highest hour; 10 a month."""
    return {
        **TOU_RATE,
        "energyratestructure": [[{"rate": off_peak, "unit": "kWh"}], [{"rate": peak}]],
    }


@pytest.fixture
def tou(org, branches, tmp_path):
    """Usage point POINT (south), meter E-1 with register 01 in kWh, contract T-1
    on tariff TOU (0.10 / 0.25 from 1 January 2026); every hour of November at
    1 kWh imported; period November 2026."""
    south = branches["south"]
    add_power()
    tariff = import_urdb(tmp_path, rate(0.10, 0.25))
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    contract = make_contract(
        south, "T-1", "T1", "Tou Customer SRL", [tariff], service_point=point
    )
    register_on(point, tariff.utility, "E-1")
    report = import_readings(
        green_button(every_hour_of(NOVEMBER)).encode(),
        fmt="greenbutton",
        branch=south,
        filename="november.xml",
        options=ImportOptions(today=TODAY),
    )
    assert report.interval_days == 30
    period = open_period(south, "2026-11", date(2026, 11, 1), date(2026, 11, 30))
    return {"contract": contract, "period": period}


def billed(tou) -> tuple[Invoice, list[tuple], list[str]]:
    """November billed: T-1's invoice, its lines (text, quantity, unit price, net,
    VAT rate, dates) and the rules of all findings."""
    bill_period(tou["period"], issue_date=TODAY)
    invoice = Invoice.objects.get(contract=tou["contract"])
    lines = list(
        invoice.lines.order_by("position").values_list(
            "description",
            "quantity",
            "unit_price_net",
            "net_amount",
            "vat_rate_percent",
            "starts_on",
            "ends_on",
        )
    )
    rules = list(Finding.objects.values_list("rule", flat=True))
    return invoice, lines, rules


FIRST = (date(2026, 11, 1), date(2026, 11, 15))
SECOND = (date(2026, 11, 16), date(2026, 11, 30))
ENERGY = "Energy, November, period"


def test_a_vat_change_within_the_month_still_bills_its_energy(tou):
    # given VAT S 19% from 1 January, 21% from 16 November 2026
    call_command("add_vat_rate", category="S", rate="19", valid_from="2026-01-01")
    call_command("add_vat_rate", category="S", rate="21", valid_from="2026-11-16")

    invoice, lines, rules = billed(tou)

    # then November is issued, split at the VAT change: each part's energy at its
    # own days' hours, each part its days' share of the month's demand (the
    # month's peak) at its VAT rate, the fixed charge by days (docs/formulas.md,
    # "Time-of-use energy and demand when a month is cut"; docs/tariffs.md,
    # "Proration"); no finding, nothing held. 1 November 2026 is a Sunday, so
    #   1-15 Nov (10 weekdays, 5 weekend days), VAT 19%:
    #     peak 10 × 12 = 120 kWh × 0.25 = 30.00; off-peak 360 − 120 = 240 × 0.10
    #     = 24.00; demand 1 kW × 5 × 15/30 = 2.50; fixed 10.00 × 15/30 = 5.00
    #                                                                  = 61.50
    #   16-30 Nov (11 weekdays, 4 weekend days), VAT 21%:
    #     peak 11 × 12 = 132 kWh × 0.25 = 33.00; off-peak 360 − 132 = 228 × 0.10
    #     = 22.80; demand 2.50; fixed 5.00                             = 63.30
    #   net 61.50 + 63.30 = 124.80 (= 252 × 0.25 + 468 × 0.10 + 5 + 10, the
    #   whole month); VAT 61.50 × 19% = 11.685 → 11.69 + 63.30 × 21% = 13.293
    #   → 13.29 = 24.98; gross 149.78
    assert lines == [
        (f"{ENERGY} 1, 01.11 – 15.11.2026", 240, D("0.10"), D("24.00"), 19, *FIRST),
        (f"{ENERGY} 2, 01.11 – 15.11.2026", 120, D("0.25"), D("30.00"), 19, *FIRST),
        ("Demand, November, 01.11 – 15.11.2026", 1, D("2.5"), D("2.50"), 19, *FIRST),
        ("Fixed charge, 01.11 – 15.11.2026", D("0.5"), 10, D("5.00"), 19, *FIRST),
        (f"{ENERGY} 1, 16.11 – 30.11.2026", 228, D("0.10"), D("22.80"), 21, *SECOND),
        (f"{ENERGY} 2, 16.11 – 30.11.2026", 132, D("0.25"), D("33.00"), 21, *SECOND),
        ("Demand, November, 16.11 – 30.11.2026", 1, D("2.5"), D("2.50"), 21, *SECOND),
        ("Fixed charge, 16.11 – 30.11.2026", D("0.5"), 10, D("5.00"), 21, *SECOND),
    ]
    totals = (invoice.total_net, invoice.total_vat, invoice.total_gross)
    assert (invoice.state, totals) == ("issued", (D("124.80"), D("24.98"), D("149.78")))
    assert rules == []


def test_a_version_from_mid_month_still_bills_its_energy(tou, tmp_path):
    # given a second version of TOU from 16 November 2026 at 0.20 / 0.50
    import_urdb(tmp_path, rate(0.20, 0.50), "2026-11-16")

    invoice, lines, rules = billed(tou)

    # then November is issued, split at the new version: each part's energy at its
    # version's prices on its own days' hours, each part its days' share of the
    # month's demand at its version (5 a kW in both), the fixed charge by days
    # (docs/formulas.md, "Time-of-use energy and demand when a month is cut";
    # docs/tariffs.md, "Proration"); no finding, nothing held:
    #   1-15 Nov (10 weekdays, 5 weekend days), first version:
    #     120 kWh peak × 0.25 = 30.00 + 240 kWh off-peak × 0.10 = 24.00 = 54.00;
    #     demand 1 kW × 5 × 15/30 = 2.50; fixed 10.00 × 15/30 = 5.00
    #   16-30 Nov (11 weekdays, 4 weekend days), version of 16 November:
    #     132 kWh peak × 0.50 = 66.00 + 228 kWh off-peak × 0.20 = 45.60 = 111.60;
    #     demand 2.50; fixed 5.00
    #   net 54.00 + 111.60 + 5.00 + 10.00 = 180.60 (not the fixed charge alone,
    #   10.00); VAT 19% of 180.60 = 34.314 → 34.31; gross 214.91
    assert lines == [
        (f"{ENERGY} 1, 01.11 – 15.11.2026", 240, D("0.10"), D("24.00"), 19, *FIRST),
        (f"{ENERGY} 2, 01.11 – 15.11.2026", 120, D("0.25"), D("30.00"), 19, *FIRST),
        ("Demand, November, 01.11 – 15.11.2026", 1, D("2.5"), D("2.50"), 19, *FIRST),
        ("Fixed charge, 01.11 – 15.11.2026", D("0.5"), 10, D("5.00"), 19, *FIRST),
        (f"{ENERGY} 1, 16.11 – 30.11.2026", 228, D("0.20"), D("45.60"), 19, *SECOND),
        (f"{ENERGY} 2, 16.11 – 30.11.2026", 132, D("0.50"), D("66.00"), 19, *SECOND),
        ("Demand, November, 16.11 – 30.11.2026", 1, D("2.5"), D("2.50"), 19, *SECOND),
        ("Fixed charge, 16.11 – 30.11.2026", D("0.5"), 10, D("5.00"), 19, *SECOND),
    ]
    totals = (invoice.total_net, invoice.total_vat, invoice.total_gross)
    assert (invoice.state, totals) == ("issued", (D("180.60"), D("34.31"), D("214.91")))
    assert rules == []
