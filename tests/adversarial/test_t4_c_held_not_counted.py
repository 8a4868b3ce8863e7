"""T4 (area C): a service point contract held because days of the period lack
intervals (``tariff_needs_intervals``) gets no lines, and the bill run counts
"held" only for charges with lines and "findings" only from consumption and
residence findings. The run reports issued 0, held 0, findings {} and marks the
period *invoiced*, though its one contract was not billed: the operator is told
nothing is waiting. (The same code path serves ``tariff_missing`` and
``tariff_error``; the intervals make this one an everyday case.)"""

from __future__ import annotations

from datetime import date, timedelta

from builders import make_contract
from intervals_world import (
    POINT,
    TOU_RATE,
    every_hour_of,
    green_button,
    register_on,
    tou_tariff,
)
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, Period
from meterbill.billing.periods import open_period
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.premises.models import ServicePoint

TODAY = date(2026, 12, 4)
# TOU_RATE without its demand charge
RATE = {k: v for k, v in TOU_RATE.items() if not k.startswith("flatdemand")}


def test_a_contract_held_for_missing_intervals_is_reported_held(
    org, branches, tmp_path
):
    south = branches["south"]
    tariff = tou_tariff(tmp_path, RATE)
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    make_contract(south, "T-1", "T1", "Tou Customer SRL", [tariff], service_point=point)
    register_on(point, tariff.utility, "E-1")
    # given November 2026 without its 5th day
    days = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]
    import_readings(
        green_button(every_hour_of(d for d in days if d.day != 5)).encode(),
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
