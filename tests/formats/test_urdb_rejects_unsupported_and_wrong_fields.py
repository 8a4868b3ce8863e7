"""Units the engine cannot rate, and wrong fields, are refused naming the JSON path."""

import json

import pytest

from meterbill.formats.errors import InvalidFormat
from meterbill.formats.urdb import read_tariff

FLAT = [[0] * 24 for _ in range(12)]


def tariff_json(**changes) -> str:
    rate = {
        "energyratestructure": [[{"max": 100, "rate": 0.1}, {"rate": 0.2}]],
        "energyweekdayschedule": FLAT,
        "energyweekendschedule": FLAT,
    }
    rate.update(changes)
    return json.dumps({"items": [rate]})


def field_of_error(text: str) -> str | None:
    with pytest.raises(InvalidFormat) as caught:
        read_tariff(text, filename="t.json")
    return caught.value.field


def test_it_refuses_kwh_per_kw_tiers():
    # given
    text = tariff_json(
        energyratestructure=[[{"max": 200, "unit": "kWh/kW", "rate": 0.1}]]
    )

    # when / then
    assert field_of_error(text) == "$.items[0].energyratestructure[0][0].unit"


def test_it_refuses_a_yearly_fixed_charge():
    # given
    text = tariff_json(fixedchargefirstmeter=100, fixedchargeunits="$/year")

    # when / then
    assert field_of_error(text) == "$.items[0].fixedchargeunits"


def test_it_refuses_demand_in_horsepower():
    # given
    text = tariff_json(
        demandratestructure=[[{"rate": 5}]],
        demandweekdayschedule=FLAT,
        demandweekendschedule=FLAT,
        demandrateunit="hp",
    )

    # when / then
    assert field_of_error(text) == "$.items[0].demandrateunit"


def test_it_names_the_schedule_cell_of_an_undefined_period():
    # given month 4, hour 6 names period 3 of 1
    schedule = [row[:] for row in FLAT]
    schedule[3][5] = 3

    # when / then
    assert field_of_error(tariff_json(energyweekdayschedule=schedule)) == (
        "$.items[0].energyweekdayschedule[3][5]"
    )


def test_it_names_a_rate_that_is_not_a_number():
    # given
    text = tariff_json(energyratestructure=[[{"rate": "cheap"}]])

    # when / then
    assert field_of_error(text) == "$.items[0].energyratestructure[0][0].rate"


def test_it_refuses_a_schedule_with_the_wrong_shape():
    # given eleven months
    text = tariff_json(energyweekendschedule=FLAT[:11])

    # when / then
    assert field_of_error(text) == "$.items[0].energyweekendschedule"


def test_it_refuses_text_that_is_not_json():
    # given / when
    with pytest.raises(InvalidFormat) as caught:
        read_tariff(b"{not json", filename="t.json")

    # then
    assert caught.value.line == 1
    assert str(caught.value).startswith("t.json:1: not JSON")
