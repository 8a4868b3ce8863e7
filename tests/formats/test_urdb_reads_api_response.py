"""The URDB API response shape: a list of rates under "items"."""

import json

import pytest

from meterbill.engine.tariff import ChargeUnit, UsageUnit
from meterbill.formats.errors import InvalidFormat
from meterbill.formats.urdb import read_tariff

FLAT = [[0] * 24 for _ in range(12)]


def rate(label: str, price: float) -> dict:
    return {
        "label": label,
        "name": f"rate {label}",
        "energyratestructure": [
            [{"max": 10, "unit": "kWh daily", "rate": price}, {"rate": 1}]
        ],
        "energyweekdayschedule": FLAT,
        "energyweekendschedule": FLAT,
        "fixedchargefirstmeter": 0.5,
        "fixedchargeunits": "$/day",
        "mincharge": 120,
        "minchargeunits": "$/year",
    }


API_RESPONSE = json.dumps({"items": [rate("abc", 0.1), rate("def", 0.2)]})


def test_it_takes_the_first_item():
    # given two rates

    # when
    tariff = read_tariff(API_RESPONSE)

    # then
    assert tariff.name == "rate abc"
    assert tariff.energy_periods[0][0].unit is UsageUnit.KWH_PER_DAY
    assert tariff.fixed_charge_unit is ChargeUnit.PER_DAY
    assert str(tariff.fixed_charge) == "0.5"
    assert tariff.min_charge == 0
    assert tariff.annual_min_charge == 120  # $/year is the annual minimum


def test_it_selects_an_item_by_label():
    # given two rates

    # when
    tariff = read_tariff(API_RESPONSE, label="def")

    # then
    assert tariff.name == "rate def"


def test_it_rejects_an_unknown_label():
    # given two rates

    # when / then
    with pytest.raises(InvalidFormat) as caught:
        read_tariff(API_RESPONSE, filename="api.json", label="xyz")
    assert caught.value.field == "$.items[*].label"
    assert "api.json" in str(caught.value)


def test_it_rejects_an_empty_items_list():
    # given / when / then
    with pytest.raises(InvalidFormat) as caught:
        read_tariff('{"items": []}')
    assert caught.value.field == "$.items"
