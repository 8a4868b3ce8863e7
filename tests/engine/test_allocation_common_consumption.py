"""Measured consumption with common consumption (main meter minus apartment meters)."""

from decimal import Decimal as D

import pytest

from meterbill.engine.allocation import (
    AllocationError,
    Apartment,
    BranchMeter,
    ConsumptionRule,
    Cost,
    allocate,
)


def small_building(a3_meter: D | None = None) -> list[Apartment]:
    a3 = {} if a3_meter is None else {"cold_water": a3_meter}
    return [
        Apartment("A1", D(50), persons=D(2), consumption={"cold_water": D(10)}),
        Apartment("A2", D(70), persons=D(3), consumption={"cold_water": D(20)}),
        Apartment("A3", D(80), persons=D(1), consumption=a3),
    ]


def water(rule: ConsumptionRule, main_m3: str, amount: str = "100.00") -> Cost:
    return Cost("cw", "cold_water", D(amount), "EUR", rule, quantity=D(main_m3))


def test_it_charges_a_meterless_apartment_by_norm_and_spreads_the_common_part():
    # given A3 has no meter: norm 1 person x 4 m3 = 4; own 10 + 20 + 4 = 34;
    # main 40 -> common 6 by persons (2, 3, 1 of 6) = 2, 3, 1;
    # quantities 12, 23, 5 at 100.00 / 40 m3 = 2.50 per m3
    rule = ConsumptionRule(common_key="persons", norm_per_person=D(4))

    # when
    result = allocate(small_building(), [water(rule, "40")], "EUR")

    # then
    shares = result.shares["cw"]
    assert {k: s.amount for k, s in shares.items()} == {
        "A1": D("30.00"),
        "A2": D("57.50"),
        "A3": D("12.50"),
    }
    assert [s.quantity for s in shares.values()] == [D(12), D(23), D(5)]
    assert [f.code for f in result.findings] == ["no_meter"]
    own, common = shares["A3"].explanation.parts
    assert (own.key, own.value, own.note) == (
        "consumption",
        D(4),
        "norm: 1 persons x 4",
    )
    assert (common.key, common.value, common.total, common.quantity) == (
        "persons",
        D(1),
        D(6),
        D(1),
    )


def test_it_charges_a_meterless_apartment_by_the_given_estimate():
    # given A3 estimated at 6 m3; own 36; common 4 by area (50, 70, 80 of 200)
    # = 1.0, 1.4, 1.6; quantities 11, 21.4, 7.6 at 2.50 per m3
    rule = ConsumptionRule(missing_meter="estimate", estimates={"A3": D(6)})

    # when
    result = allocate(small_building(), [water(rule, "40")], "EUR")

    # then
    assert {k: s.amount for k, s in result.shares["cw"].items()} == {
        "A1": D("27.50"),
        "A2": D("53.50"),
        "A3": D("19.00"),
    }


def test_it_reduces_consumptions_proportionally_when_the_main_meter_reads_less():
    # given own 10 + 20 + 4 (norm) = 34 m3 but the main meter shows 30:
    # factor 30/34; amounts 100 x (10, 20, 4)/34 = 29.41.., 58.82.., 11.76..;
    # the spare cent to A3 (remainder 0.647); quantities 8.8235.., 17.647.., 3.529..
    # to 0.001 leave 0.001 for A1 (remainder 0.53)
    rule = ConsumptionRule(norm_per_person=D(4))

    # when
    result = allocate(small_building(), [water(rule, "30")], "EUR")

    # then
    shares = result.shares["cw"]
    assert [s.amount for s in shares.values()] == [D("29.41"), D("58.82"), D("11.77")]
    assert [s.quantity for s in shares.values()] == [
        D("8.824"),
        D("17.647"),
        D("3.529"),
    ]
    assert "negative_common" in [f.code for f in result.findings]


def test_it_blocks_the_cost_when_the_policy_says_so():
    # given the main meter reads 30 m3 under 34 m3 measured, policy "block"
    rule = ConsumptionRule(norm_per_person=D(4), negative_policy="block")

    # when
    result = allocate(small_building(), [water(rule, "30")], "EUR")

    # then
    assert result.shares["cw"] == {}
    blocking = [f for f in result.findings if f.code == "negative_common"]
    assert [(f.severity, f.apartment_id) for f in blocking] == [("error", None)]


def test_it_spreads_common_consumption_under_branching_counters():
    # given A1, A2 under branching counter B1 reading 35 m3, A3 directly under
    # the main meter (50 m3) with its own meter at 8 m3.
    # B1 common: 35 - 30 = 5 by area among A1, A2 (50, 70 of 120) = 2.0833.., 2.9166..
    # main common: 50 - (35 + 8) = 7 by area over all (50, 70, 80 of 200)
    # = 1.75, 2.45, 2.80; quantities 13.8333.., 25.3666.., 10.8; 150.00 / 50 = 3/m3
    rule = ConsumptionRule(branch_meters=(BranchMeter("B1", D(35), ("A1", "A2")),))

    # when
    result = allocate(small_building(D(8)), [water(rule, "50", "150.00")], "EUR")

    # then
    shares = result.shares["cw"]
    assert [s.amount for s in shares.values()] == [D("41.50"), D("76.10"), D("32.40")]
    assert [s.quantity for s in shares.values()] == [
        D("13.833"),
        D("25.367"),
        D("10.800"),
    ]
    notes = [p.note for p in shares["A1"].explanation.parts]
    assert notes == [
        "meter",
        "common of branching counter B1",
        "common of the main meter",
    ]


def test_it_refuses_an_apartment_under_two_branching_counters():
    # given A1 listed under two branching counters
    rule = ConsumptionRule(
        branch_meters=(
            BranchMeter("B1", D(20), ("A1",)),
            BranchMeter("B2", D(20), ("A1", "A2")),
        )
    )

    # when / then
    with pytest.raises(AllocationError, match="B2: apartment A1"):
        allocate(small_building(D(8)), [water(rule, "50")], "EUR")


def test_it_needs_the_main_meter_quantity():
    # given a consumption cost without quantity
    cost = Cost("cw", "cold_water", D("10.00"), "EUR", ConsumptionRule())

    # when / then
    with pytest.raises(AllocationError, match="main meter quantity is required"):
        allocate(small_building(D(8)), [cost], "EUR")
