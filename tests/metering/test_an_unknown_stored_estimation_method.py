"""T1 finding 23: an estimation setting written past ``save_estimation_setting``
(a code with spaces, an unknown code) does not stop the bill run: codes are
trimmed, unknown ones are left out and logged, and none left means the default."""

import logging
from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.metering.estimation import save_estimation_setting
from meterbill.metering.models import EstimationSetting, Reading, Register

NOV_30 = date(2026, 11, 30)


def _w1_without_30_nov() -> Register:
    register = Register.objects.get(meter__serial="W1")
    Reading.objects.filter(register=register, read_on=NOV_30).delete()
    return register


def test_a_spaced_code_is_trimmed_and_an_unknown_one_left_out(
    small_building, branches, caplog
):
    # given the row says " interpolation , bogus" and W1 has 120 on 30 Dec
    EstimationSetting.objects.create(
        branch=branches["north"],
        utility=small_building["utility"],
        methods=" interpolation , bogus",
    )
    register = _w1_without_30_nov()
    Reading.objects.create(
        register=register, read_on=date(2026, 12, 30), value=120, source="manual"
    )

    with caplog.at_level(logging.WARNING, logger="meterbill.metering.estimation"):
        bill_period(small_building["period"], issue_date=date(2027, 1, 5))

    # then interpolation estimates: 31 Oct 100 → 30 Dec 120, 30 of 60 days: 110
    estimate = Reading.objects.get(register=register, read_on=NOV_30)
    assert (estimate.value, estimate.method) == (Decimal("110"), "interpolation")
    [warning] = [r for r in caplog.records if r.getMessage().startswith("unknown")]
    assert warning.unknown == ["bogus"]


def test_only_unknown_codes_fall_back_to_average_daily_use(small_building, branches):
    EstimationSetting.objects.create(
        branch=branches["north"], utility=small_building["utility"], methods="bogus"
    )
    register = _w1_without_30_nov()

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # 30 Sep 90 → 31 Oct 100: 10/31 m3 a day × 30 days = 9.677 → 109.677
    estimate = Reading.objects.get(register=register, read_on=NOV_30)
    assert (estimate.value, estimate.method) == (Decimal("109.677"), "average_daily")


def test_saving_trims_codes_and_refuses_a_long_station(small_building, branches):
    saved = save_estimation_setting(
        branches["north"], small_building["utility"], [" average_daily "]
    )
    assert saved.methods == "average_daily"

    with pytest.raises(ValueError, match="at most 32 characters"):
        save_estimation_setting(
            branches["north"],
            small_building["utility"],
            ["average_daily"],
            station="x" * 33,
        )
