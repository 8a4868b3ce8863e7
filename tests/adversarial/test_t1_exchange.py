"""T1 adversarial findings on the meter exchange and the meter form.

Each test was a confirmed bug (xfail) and now guards its fix.
"""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.metering.exchange import ExchangeRefused, NewMeter, exchange_meter
from meterbill.metering.models import Meter, Reading
from meterbill.web.premises_forms import MeterForm


def _w1():
    meter = Meter.objects.get(serial="W1")
    [register] = meter.registers.all()
    return meter, register


# T1 finding 4 (fixed).
def test_an_exchange_on_a_read_day_refuses_a_final_below_the_previous_index(
    small_building, alice
):
    # W1: 110 on 30 Nov (billed period's closing), 115 on 10 Dec (actual)
    meter, register = _w1()
    Reading.objects.create(
        register=register,
        read_on=date(2026, 12, 10),
        value=Decimal(115),
        source="manual",
    )

    # an exchange on 10 Dec (today: 12 Dec) with final index 60: not the 115 read
    # that day, so refused; the day's reading is never replaced
    with pytest.raises(ExchangeRefused, match="already has the index 115"):
        exchange_meter(
            meter,
            on=date(2026, 12, 10),
            final_indexes={register.pk: Decimal(60)},
            initial_indexes={register.pk: Decimal(0)},
            new=NewMeter(serial="W1-NEW"),
            user=alice,
            today=date(2026, 12, 12),
        )
    # and the 10 Dec actual reading is untouched
    assert (
        Reading.objects.get(register=register, read_on=date(2026, 12, 10)).value == 115
    )


# T1 finding 5 (fixed).
def test_an_exchange_in_the_far_future_is_refused(small_building, alice):
    meter, register = _w1()

    with pytest.raises(ExchangeRefused):
        exchange_meter(
            meter,
            on=date(9999, 12, 31),
            final_indexes={register.pk: Decimal(120)},
            initial_indexes={register.pk: Decimal(0)},
            new=NewMeter(serial="W1-NEW"),
            user=alice,
        )


# T1 finding 6 (fixed).
def test_the_meter_form_refuses_a_parent_cycle(small_building, alice):
    # MAIN ← X ← Y, then X is put under Y
    main = Meter.objects.get(serial="MAIN")
    x = Meter.objects.create(
        branch=main.branch,
        kind=Meter.Kind.BRANCH_COUNTER,
        utility=main.utility,
        serial="X",
        residence=main.residence,
        parent=main,
    )
    y = Meter.objects.create(
        branch=main.branch,
        kind=Meter.Kind.BRANCH_COUNTER,
        utility=main.utility,
        serial="Y",
        residence=main.residence,
        parent=x,
    )
    data = {
        "kind": "branch_counter",
        "utility": str(main.utility_id),
        "serial": "X",
        "parent": str(y.pk),
        "radio_id": "",
        "multiplier": "1",
        "installed_on": "",
        "kq": "1",
        "kc": "1",
    }

    form = MeterForm(data, instance=x, user=alice, kinds=["main", "branch_counter"])

    assert not form.is_valid()
    assert "parent" in form.errors


# T1 finding 10 (fixed).
def test_an_exchange_final_below_a_billed_estimate_is_accepted(small_building, alice):
    from meterbill.billing.billrun import bill_period

    # W1 has no 30 Nov reading: the bill run estimates it by average daily use,
    # 90 (30 Sep) → 100 (31 Oct) is 10/31 a day, × 30 days = 9.677 → 109.677
    meter, register = _w1()
    Reading.objects.filter(register=register, read_on=date(2026, 11, 30)).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    estimate = Reading.objects.get(register=register, read_on=date(2026, 11, 30))
    assert (estimate.status, estimate.value) == ("estimated", Decimal("109.677"))

    # the meter is exchanged on 3 Dec; its real index then is 105: above the last
    # actual (100), below the estimate. The exchange must be recorded, not refused
    # (December's bill run then meets 109.677 → 105: see docs/limits.md).
    new = exchange_meter(
        meter,
        on=date(2026, 12, 3),
        final_indexes={register.pk: Decimal(105)},
        initial_indexes={register.pk: Decimal(0)},
        new=NewMeter(serial="W1-NEW"),
        user=alice,
    )

    assert new.serial == "W1-NEW"


def test_an_exchange_on_a_read_day_with_that_index_keeps_the_reading(
    small_building, alice
):
    # W1: 110 on 30 Nov (actual); the exchange that day gives the same final index
    meter, register = _w1()
    reading = Reading.objects.get(register=register, read_on=date(2026, 11, 30))

    exchange_meter(
        meter,
        on=date(2026, 11, 30),
        final_indexes={register.pk: Decimal(110)},
        initial_indexes={register.pk: Decimal(0)},
        new=NewMeter(serial="W1-NEW"),
        user=alice,
        today=date(2026, 12, 4),
    )

    # the 30 Nov reading is the same row, untouched (not re-entered by the exchange)
    kept = Reading.objects.get(register=register, read_on=date(2026, 11, 30))
    assert (kept.pk, kept.value, kept.entered_by) == (reading.pk, 110, None)


def test_an_exchange_on_the_next_day_is_accepted(small_building, alice):
    # today 4 Dec; an exchange keyed in for 5 Dec (one day ahead) is accepted,
    # 6 Dec is refused
    meter, register = _w1()
    args = {
        "final_indexes": {register.pk: Decimal(112)},
        "initial_indexes": {register.pk: Decimal(0)},
        "new": NewMeter(serial="W1-NEW"),
        "user": alice,
        "today": date(2026, 12, 4),
    }

    with pytest.raises(ExchangeRefused, match="is in the future"):
        exchange_meter(meter, on=date(2026, 12, 6), **args)
    new = exchange_meter(meter, on=date(2026, 12, 5), **args)

    assert new.installed_on == date(2026, 12, 5)


def test_an_exchange_before_the_installation_is_refused(small_building, alice):
    meter, register = _w1()
    Meter.objects.filter(pk=meter.pk).update(installed_on=date(2026, 12, 2))
    meter.refresh_from_db()
    Reading.objects.filter(register=register, read_on__gt=date(2026, 12, 1)).delete()

    with pytest.raises(ExchangeRefused, match="before the installation"):
        exchange_meter(
            meter,
            on=date(2026, 12, 1),
            final_indexes={register.pk: Decimal(112)},
            initial_indexes={register.pk: Decimal(0)},
            new=NewMeter(serial="W1-NEW"),
            user=alice,
            today=date(2026, 12, 4),
        )


def test_an_exchange_refuses_a_look_alike_serial(small_building, alice):
    # "w2" is W2 of apartment 2 in another case; "W1-NEW" with a Cyrillic "Е"
    meter, register = _w1()
    for serial, message in [
        ("w2", "already in use"),
        ("W1-N\u0415W", "only ASCII"),
    ]:
        with pytest.raises(ExchangeRefused, match=message):
            exchange_meter(
                meter,
                on=date(2026, 12, 3),
                final_indexes={register.pk: Decimal(112)},
                initial_indexes={register.pk: Decimal(0)},
                new=NewMeter(serial=serial),
                user=alice,
                today=date(2026, 12, 4),
            )


def test_the_meter_form_refuses_an_installation_in_the_far_future(
    small_building, alice
):
    meter, _register = _w1()
    data = {
        "kind": "apartment",
        "utility": str(meter.utility_id),
        "serial": "W1",
        "multiplier": "1",
        "installed_on": "9999-12-31",
        "kq": "1",
        "kc": "1",
    }

    form = MeterForm(data, instance=meter, user=alice, kinds=["apartment", "hca"])

    assert form.errors["installed_on"] == ["This day is in the future."]
