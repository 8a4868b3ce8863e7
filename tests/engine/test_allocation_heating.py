"""Mixed heat splits: Heizkostenverordnung, Romanian common heating, hot-water heat."""

from decimal import Decimal as D

import pytest

from meterbill.engine.allocation import (
    AllocationError,
    Allocator,
    Apartment,
    CommonHeatingRule,
    Cost,
    HotWaterHeatRule,
    KeyRule,
    MixedRule,
    allocate,
    hot_water_heat_kwh,
)


def heated_building(a3_estimated: bool = False) -> list[Apartment]:
    # corrected units (EN 834): A1 100 x 1.2 + 50 x 0.8 x 1.05 = 162; A2 180; A3 58
    return [
        Apartment(
            "A1",
            D(50),
            heated_area_m2=D(45),
            allocators=(
                Allocator("r1", D(100), kq=D("1.2")),
                Allocator("r2", D(50), kq=D("0.8"), kc=D("1.05")),
            ),
            consumption={"hot_water": D(1)},
        ),
        Apartment(
            "A2",
            D(70),
            allocators=(Allocator("r3", D(200), kc=D("0.9")),),
            consumption={"hot_water": D(3)},
        ),
        Apartment(
            "A3",
            D(80),
            heated_area_m2=D(60),
            allocators=(Allocator("r4", D(58), estimated=a3_estimated),),
            consumption={"hot_water": D(6)},
        ),
    ]


def split(rule, amount: str = "1000.00", quantity=None, building=None):
    cost = Cost("heat", "heat", D(amount), "EUR", rule, quantity=quantity)
    return allocate(building or heated_building(), [cost], "EUR")


def test_it_splits_70_percent_by_units_and_30_percent_by_area():
    # given 1000.00: 700 by units (162, 180, 58 of 400) = 283.50, 315.00, 101.50;
    # 300 by area (50, 70, 80 of 200) = 75, 105, 120
    rule = MixedRule(D(70), heizkostenv_range=True)

    # when
    result = split(rule)

    # then
    shares = result.shares["heat"]
    assert [s.amount for s in shares.values()] == [
        D("358.50"),
        D("420.00"),
        D("221.50"),
    ]
    units, area = shares["A1"].explanation.parts
    assert (units.key, units.value, units.total, units.percent) == (
        "allocator_units",
        D(162),
        D(400),
        D(70),
    )
    assert (area.key, area.value, area.total, area.percent) == (
        "area",
        D(50),
        D(200),
        D(30),
    )
    assert shares["A1"].explanation.rule == "mixed:70% allocator_units/30% area"


def test_it_refuses_a_percentage_outside_the_heizkostenv_range():
    # given 80 % by consumption where §7 allows 50 to 70
    rule = MixedRule(D(80), heizkostenv_range=True)

    # when / then
    with pytest.raises(AllocationError, match="between 50 and 70"):
        split(rule)


def test_it_splits_all_by_area_when_estimated_area_is_over_the_limit():
    # given A3 (80 of 200 m2 = 40 %) has an estimated allocator; limit 25 %
    rule = MixedRule(D(70), estimated_area_limit_percent=D(25))

    # when
    result = split(rule, building=heated_building(a3_estimated=True))

    # then 1000.00 by area only: 250, 350, 400
    shares = result.shares["heat"]
    assert [s.amount for s in shares.values()] == [
        D("250.00"),
        D("350.00"),
        D("400.00"),
    ]
    assert [f.code for f in result.findings] == ["estimated_area_over_limit"]
    assert "40.00% of the area" in shares["A2"].explanation.findings[0]


def test_it_gives_the_romanian_common_share_by_heated_area():
    # given zone II in January: 15 % for common spaces by heated area
    # (45, 70, 60 of 175) = 38.571.., 60.00, 51.428..; 85 % = 850 by units
    # (162, 180, 58 of 400) = 344.25, 382.50, 123.25; sums 382.821.., 442.50,
    # 174.678..; floors leave one cent for A3 (remainder 0.857)
    table = {"II": {1: D(15), 2: D(12)}, "III": {1: D(18)}}
    rule = CommonHeatingRule(table, climatic_zone="II", month=1)

    # when
    result = split(rule)

    # then
    shares = result.shares["heat"]
    assert [s.amount for s in shares.values()] == [
        D("382.82"),
        D("442.50"),
        D("174.68"),
    ]
    area, units = shares["A3"].explanation.parts
    assert (area.key, area.percent, units.key, units.percent) == (
        "heated_area",
        D(15),
        "allocator_units",
        D(85),
    )


def test_it_refuses_a_month_missing_from_the_common_heating_table():
    # given no percentage for zone II in March
    rule = CommonHeatingRule({"II": {1: D(15)}}, climatic_zone="II", month=3)

    # when / then
    with pytest.raises(AllocationError, match="zone II month 3"):
        split(rule)


def test_it_computes_hot_water_heat_from_volume_and_temperature_rise():
    # given 10 m3 warmed by 45 K at 1.163 kWh/(m3 K)
    # when
    energy = hot_water_heat_kwh(D(10), D(45))

    # then
    assert energy == D("523.350")


def test_it_splits_hot_water_heat_by_volume_and_the_rest_by_the_heating_rule():
    # given 10000 kWh billed 2000.00; hot water 1 + 3 + 6 = 10 m3 x 1.163 x 45 K
    # = 523.35 kWh = 5.2335 % -> 104.67 by volume: 10.467, 31.401, 62.802;
    # the rest 1895.33 by area (50, 70, 80 of 200): 473.8325, 663.3655, 758.132;
    # sums 484.2995, 694.7665, 820.934; two spare cents to A1 (.95) and A2 (.65).
    # kWh: 10000 x the same weights = 2421.4975, 3473.8325, 4104.67; the spare
    # 0.001 is a tie of remainders (.5, .5) won by the larger weight, A2
    rule = HotWaterHeatRule(KeyRule("area"), delta_t_k=D(45))

    # when
    result = split(rule, "2000.00", quantity=D(10000))

    # then
    shares = result.shares["heat"]
    assert [s.amount for s in shares.values()] == [
        D("484.30"),
        D("694.77"),
        D("820.93"),
    ]
    assert [s.quantity for s in shares.values()] == [
        D("2421.497"),
        D("3473.833"),
        D("4104.670"),
    ]
    hot_water, area = shares["A1"].explanation.parts
    assert (hot_water.value, hot_water.total, hot_water.percent) == (
        D("52.335"),
        D("523.35"),
        D("5.2335"),
    )
    assert area.percent == D("94.7665")
