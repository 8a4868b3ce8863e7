"""run_scenario: a JSON scenario in, amounts and explanations out."""

import json
from decimal import Decimal as D

SCENARIO = """
{
  "currency": "EUR",
  "period": {"start": "2025-01-01", "end": "2025-01-31"},
  "apartments": [
    {"id": "A1", "area_m2": "50", "persons": 2,
     "consumption": {"cold_water": "10"},
     "allocators": [{"id": "r1", "units": "100", "kq": "1.2"},
                    {"id": "r2", "units": "50", "kq": "0.8", "kc": "1.05"}],
     "occupants": [{"id": "alice", "start": "2024-11-01", "end": "2025-01-10"},
                   {"id": "bob", "start": "2025-01-11", "end": "2025-06-30"}]},
    {"id": "A2", "area_m2": 70, "persons": 3,
     "consumption": {"cold_water": 20},
     "allocators": [{"id": "r3", "units": 200, "kc": 0.9}]},
    {"id": "A3", "area_m2": "80", "persons": 1,
     "allocators": [{"id": "r4", "units": "58"}]}
  ],
  "costs": [
    {"id": "water", "utility": "cold_water", "amount": "100.00", "quantity": "40",
     "rule": {"type": "consumption", "common_key": "persons",
              "norm_per_person": "4"}},
    {"id": "heat", "utility": "heat", "amount": 1000.00,
     "rule": {"type": "mixed", "percent_by_consumption": 70,
              "heizkostenv_range": true}}
  ]
}
"""


def run(text: str = SCENARIO) -> dict:
    from meterbill.engine.scenario import run_scenario

    return run_scenario(json.loads(text, parse_float=D))


def test_it_returns_amounts_per_apartment_and_cost():
    # given the worked examples of the allocation tests: water 30.00, 57.50,
    # 12.50 (norm for A3); heat 70/30 by units and area: 358.50, 420.00, 221.50

    # when
    result = run()

    # then
    totals = {a["id"]: a["total"] for a in result["apartments"]}
    assert totals == {"A1": "388.50", "A2": "477.50", "A3": "234.00"}
    assert [c["allocated"] for c in result["costs"]] == ["100.00", "1000.00"]
    assert [c["status"] for c in result["costs"]] == ["allocated", "allocated"]
    assert result["findings"][0]["code"] == "no_meter"


def test_it_explains_each_share():
    # given A3 charged by norm (1 person x 4 m3) plus 1 m3 of the 6 m3 common

    # when
    a3 = run()["apartments"][2]

    # then
    water = a3["shares"][0]
    assert water["amount"] == "12.50"
    assert water["quantity"] == "5.000"
    assert water["explanation"]["parts"] == [
        {
            "key": "consumption",
            "value": "4",
            "total": "34",
            "percent": "85",
            "quantity": "4",
            "note": "norm: 1 persons x 4",
        },
        {
            "key": "persons",
            "value": "1",
            "total": "6",
            "percent": "15",
            "quantity": "1",
            "note": "common of the main meter",
        },
    ]
    assert water["explanation"]["findings"] == [
        "no working cold_water meter: charged by norm: 1 persons x 4"
    ]


def test_it_splits_the_share_between_occupants():
    # given A1's water (30.00) over alice 10 days and bob 21 days of January:
    # 9.677.. and 20.322..; the spare cent to alice (remainder 0.77)

    # when
    a1 = run()["apartments"][0]

    # then
    assert a1["shares"][0]["occupants"] == [
        {"id": "alice", "amount": "9.68", "basis": "days", "value": "10"},
        {"id": "bob", "amount": "20.32", "basis": "days", "value": "21"},
    ]
