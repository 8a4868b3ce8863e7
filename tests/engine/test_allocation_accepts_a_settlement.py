"""A settled over-estimate (issue 3/5): an apartment whose own consumption is
negative because this period settles an earlier estimate takes part in the common
split, common = main − Σ apartments, and weighs 0 in a consumption key; a negative
consumption that is not marked as a settlement is still refused."""

from decimal import Decimal as D

import pytest

from meterbill.engine.allocation import (
    AllocationError,
    Apartment,
    ConsumptionRule,
    Cost,
    KeyRule,
    allocate,
)
from meterbill.engine.scenario import ScenarioError, run_scenario


def building() -> list[Apartment]:
    """Apartment 1 settles 105 − 109.677 = −4.677 m3 and used nothing after; 2 and
    3 used 20 and 30 m3. Areas 50, 60, 90 (200 m2)."""
    return [
        Apartment("1", D(50), consumption={"w": D(0)}, settlement={"w": D("-4.677")}),
        Apartment("2", D(60), consumption={"w": D(20)}),
        Apartment("3", D(90), consumption={"w": D(30)}),
    ]


def test_the_settlement_enters_the_common_split_and_the_amounts_sum():
    cost = Cost("w", "w", D("300.00"), "RON", ConsumptionRule("area"), D(60))

    shares = allocate(building(), [cost], "RON").shares["w"]

    # Σ own = −4.677 + 20 + 30 = 45.323; common = 60 − 45.323 = 14.677 m3, by area
    # 50/60/90 of 200: 3.66925, 4.4031, 6.60465. Weights (own + common):
    # −1.00775, 24.4031, 36.60465 (Σ 60). Quantities in 0.001 steps floored:
    # −1008, 24403, 36604 (Σ 59999); the step left goes to the largest remainder
    # (.65, apartment 3): −1.008, 24.403, 36.605 (Σ 60.000).
    assert [shares[k].quantity for k in "123"] == [
        D("-1.008"),
        D("24.403"),
        D("36.605"),
    ]
    # Amounts at 300.00 / 60 = 5 per m3: −5.03875, 122.0155, 183.02325; in cents
    # floored −504, 12201, 18302 (Σ 29999), the cent left to the largest remainder
    # (.55, apartment 2): −5.04, 122.02, 183.02 (Σ 300.00).
    assert [shares[k].amount for k in "123"] == [
        D("-5.04"),
        D("122.02"),
        D("183.02"),
    ]
    own = shares["1"].explanation.parts[0]
    assert (own.key, own.quantity) == ("consumption", D("-4.677"))
    assert own.note == "meter: 0 used -4.677 settled"


def test_a_negative_own_consumption_weighs_zero_in_a_consumption_key():
    cost = Cost("w", "w", D("0.00"), "RON", ConsumptionRule("consumption"), D(60))

    allocation = allocate(building(), [cost], "RON")

    # common 14.677 by consumption, apartment 1 weighing 0 (not −4.677): 20 and 30
    # of 50 → 5.8708, 8.8062. Weights −4.677, 25.8708, 38.8062 (Σ 60); floored
    # −4677, 25870, 38806 (Σ 59999), the step left to apartment 2 (.8).
    shares = allocation.shares["w"]
    assert [shares[k].quantity for k in "123"] == [
        D("-4.677"),
        D("25.871"),
        D("38.806"),
    ]
    assert [p.value for p in shares["1"].explanation.parts] == [D("-4.677"), D(0)]
    assert any("weighs 0" in m for m in shares["1"].explanation.findings)


def test_a_consumption_key_rule_weighs_the_settled_apartment_zero():
    cost = Cost("w", "w", D("100.00"), "RON", KeyRule("consumption"))

    shares = allocate(building(), [cost], "RON").shares["w"]

    # weights 0, 20, 30 of 50: 0.00, 40.00, 60.00
    assert [shares[k].amount for k in "123"] == [D("0.00"), D("40.00"), D("60.00")]


def test_a_settlement_without_a_consumption_is_refused():
    bad = Apartment("1", D(50), settlement={"w": D("-1")})

    with pytest.raises(AllocationError, match="apartment 1: a w settlement needs"):
        allocate([bad], [], "RON")


def test_a_negative_consumption_is_still_refused():
    bad = Apartment("1", D(50), consumption={"w": D("-4.677")})

    with pytest.raises(AllocationError, match="values must not be negative"):
        allocate([bad], [], "RON")


def _scenario(apartment: dict[str, object]) -> dict[str, object]:
    return {
        "currency": "RON",
        "apartments": [
            apartment,
            {"id": "2", "area_m2": "60", "consumption": {"w": "20"}},
            {"id": "3", "area_m2": "90", "consumption": {"w": "30"}},
        ],
        "costs": [
            {
                "id": "w",
                "utility": "w",
                "amount": "300.00",
                "quantity": "60",
                "rule": {"type": "consumption", "common_key": "area"},
            }
        ],
    }


def test_a_scenario_marks_the_settlement_apart_from_the_consumption():
    result = run_scenario(
        _scenario(
            {
                "id": "1",
                "area_m2": "50",
                "consumption": {"w": "0"},
                "settlement": {"w": "-4.677"},
            }
        )
    )

    # the same figures as the engine test above
    shares = {a["id"]: a["shares"][0] for a in result["apartments"]}
    assert [(shares[k]["quantity"], shares[k]["amount"]) for k in "123"] == [
        ("-1.008", "-5.04"),
        ("24.403", "122.02"),
        ("36.605", "183.02"),
    ]


def test_a_scenario_refuses_a_typoed_negative_consumption():
    with pytest.raises(ScenarioError, match=r"apartments\[0\].consumption.w"):
        run_scenario(
            _scenario({"id": "1", "area_m2": "50", "consumption": {"w": "-4.677"}})
        )


def test_a_scenario_refuses_a_settlement_without_a_consumption():
    with pytest.raises(ScenarioError, match=r"apartments\[0\].settlement.w"):
        run_scenario(_scenario({"id": "1", "area_m2": "50", "settlement": {"w": "-1"}}))
