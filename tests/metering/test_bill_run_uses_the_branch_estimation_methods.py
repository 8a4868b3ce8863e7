"""The bill run estimates by the branch's methods for the utility and stores the
method and its basis on the estimated reading."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.estimation import save_estimation_setting
from meterbill.metering.models import (
    EstimationSetting,
    Reading,
    Register,
    TemperatureDay,
)

NOV_30 = date(2026, 11, 30)


def test_it_interpolates_to_a_later_actual_when_the_branch_prefers_it(
    small_building, branches
):
    # given apartment 1 has no 30 Nov index but an actual of 120 on 30 Dec, and the
    # north branch estimates cold water by interpolation first
    save_estimation_setting(
        branches["north"],
        small_building["utility"],
        ["interpolation", "average_daily"],
    )
    register = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=register, read_on=NOV_30).delete()
    Reading.objects.create(
        register=register, read_on=date(2026, 12, 30), value=120, source="manual"
    )

    bill_period(small_building["period"], issue_date=date(2027, 1, 5))

    # then 31 Oct 100 → 30 Dec 120 is 20 m3 in 60 days; 30 days to 30 Nov: 110.000
    estimate = Reading.objects.get(register=register, read_on=NOV_30)
    assert (estimate.status, estimate.value, estimate.method) == (
        "estimated",
        Decimal("110"),
        "interpolation",
    )
    assert estimate.note == (
        "interpolated between 2026-10-31 (100.000) and 2026-12-30 (120.000)"
    )
    # and the invoice line's trace names the method
    line = Invoice.objects.get(apartment=small_building["apartments"][0]).lines.get(
        description="Cold water – own meter"
    )
    assert line.quantity == Decimal("10")
    [consumption] = line.trace["consumption"]
    assert consumption["estimate"]["method"] == "interpolation"


def test_saving_a_setting_is_audited_and_refuses_unknown_methods(
    small_building, branches
):
    saved = save_estimation_setting(
        branches["north"], small_building["utility"], ["degree_day", "average_daily"]
    )

    assert saved.methods == "degree_day,average_daily"
    assert AuditEvent.objects.filter(action="estimation_setting.save").count() == 1
    with pytest.raises(ValueError, match="unknown estimation method 'guess'"):
        save_estimation_setting(branches["north"], small_building["utility"], ["guess"])
    assert EstimationSetting.objects.get().methods == "degree_day,average_daily"


def test_it_estimates_heating_by_degree_days_from_the_branch_temperatures(
    small_building, branches
):
    # given W1 uses 2 + 0.5 × (18 − T) a day: 1000 on 30 Sep, 1110 on 10 Oct
    # (10 days at 0 °C), 1200 on 20 Oct (10 at 4 °C), 1332 on 31 Oct (11 at −2 °C);
    # November at 2 °C (1–15) and 6 °C (16–30); no 30 Nov index
    north = branches["north"]
    save_estimation_setting(
        north, small_building["utility"], ["degree_day", "average_daily"]
    )
    register = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=register).delete()
    for day, value in (
        (date(2026, 9, 30), 1000),
        (date(2026, 10, 10), 1110),
        (date(2026, 10, 20), 1200),
        (date(2026, 10, 31), 1332),
    ):
        Reading.objects.create(
            register=register, read_on=day, value=value, source="manual"
        )
    spans = [
        (date(2026, 10, 1), 10, "0"),
        (date(2026, 10, 11), 10, "4"),
        (date(2026, 10, 21), 11, "-2"),
        (date(2026, 11, 1), 15, "2"),
        (date(2026, 11, 16), 15, "6"),
    ]
    TemperatureDay.objects.bulk_create(
        TemperatureDay(branch=north, day=first + timedelta(days=i), mean_c=Decimal(t))
        for first, count, t in spans
        for i in range(count)
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then 15 × 10 + 15 × 8 = 270 → 1332 + 270 = 1602.000 on 30 Nov
    estimate = Reading.objects.get(register=register, read_on=NOV_30)
    assert (estimate.method, estimate.value) == ("degree_day", Decimal("1602"))
    assert estimate.note.startswith("degree-day regression on 3 intervals")
