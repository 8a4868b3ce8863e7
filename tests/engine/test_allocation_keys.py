"""Each distribution key on a small building of three apartments, worked by hand."""

from datetime import date
from decimal import Decimal as D

from meterbill.engine.allocation import (
    Allocator,
    Apartment,
    Cost,
    KeyRule,
    Period,
    PersonPeriod,
    allocate,
)

JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))


def small_building() -> list[Apartment]:
    return [
        Apartment("A1", D(50), heated_area_m2=D(45), persons=D(2), quota=D("0.30")),
        Apartment("A2", D(70), heated_area_m2=D(70), persons=D(3), quota=D("0.45")),
        Apartment("A3", D(80), heated_area_m2=D(60), persons=D(1), quota=D("0.25")),
    ]


def amounts(rule: KeyRule, amount: str = "100.00", **kwargs) -> dict[str, D]:
    cost = Cost("c1", "cold_water", D(amount), "EUR", rule)
    result = allocate(
        kwargs.pop("apartments", small_building()), [cost], "EUR", **kwargs
    )
    return {k: s.amount for k, s in result.shares["c1"].items()}


def test_it_splits_by_area():
    # given 50 + 70 + 80 = 200 m2 and 100.00: 0.50 per m2
    rule = KeyRule("area")

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("25.00"), "A2": D("35.00"), "A3": D("40.00")}


def test_it_splits_by_heated_area_rounding_once():
    # given heated 45 + 70 + 60 = 175 m2: exact 25.714.., 40.00, 34.285..;
    # the floors 25.71 + 40.00 + 34.28 leave one cent, which goes to A3
    # (remainder 0.857 of a cent beats A1's 0.714)
    rule = KeyRule("heated_area")

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("25.71"), "A2": D("40.00"), "A3": D("34.29")}


def test_it_splits_by_persons():
    # given 2 + 3 + 1 persons: 33.333.., 50.00, 16.666..; the spare cent to A3
    rule = KeyRule("persons")

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("33.33"), "A2": D("50.00"), "A3": D("16.67")}


def test_it_splits_in_equal_shares_with_the_spare_cent_to_the_first():
    # given three equal weights: 33.333.. each; equal remainders, key order wins
    rule = KeyRule("equal")

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("33.34"), "A2": D("33.33"), "A3": D("33.33")}


def test_it_splits_by_quota_of_ownership():
    # given quotas 0.30, 0.45, 0.25
    rule = KeyRule("quota")

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("30.00"), "A2": D("45.00"), "A3": D("25.00")}


def test_it_splits_by_person_days_when_persons_change_mid_period():
    # given January (31 days): A1 2 persons all month = 62 person-days;
    # A2 3 persons 1-10 Jan (30) then 1 person 11-31 Jan (21) = 51;
    # A3 1 person from 20 Dec to 15 Jan: 15 days inside January = 15. Total 128.
    apartments = small_building()
    apartments[1] = Apartment(
        "A2",
        D(70),
        person_periods=(
            PersonPeriod(date(2025, 1, 1), date(2025, 1, 10), D(3)),
            PersonPeriod(date(2025, 1, 11), date(2025, 1, 31), D(1)),
        ),
    )
    apartments[2] = Apartment(
        "A3",
        D(80),
        person_periods=(PersonPeriod(date(2024, 12, 20), date(2025, 1, 15), D(1)),),
    )

    # when
    result = amounts(
        KeyRule("person_days"), "128.00", apartments=apartments, period=JANUARY
    )

    # then
    assert result == {"A1": D("62.00"), "A2": D("51.00"), "A3": D("15.00")}


def test_it_splits_by_precomputed_custom_weights():
    # given weights 1, 1, 2 of 4
    rule = KeyRule("custom", weights={"A1": D(1), "A2": D(1), "A3": D(2)})

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("25.00"), "A2": D("25.00"), "A3": D("50.00")}


def test_it_splits_by_a_custom_weight_function():
    # given weight = area x persons: 100, 210, 80 of 390; in cents 2564.10,
    # 5384.62, 2051.28; floors leave one cent, A2 has the largest remainder
    rule = KeyRule("custom", weight_fn=lambda a: a.area_m2 * a.persons)

    # when
    result = amounts(rule)

    # then
    assert result == {"A1": D("25.64"), "A2": D("53.85"), "A3": D("20.51")}


def test_it_splits_by_en834_corrected_allocator_units():
    # given EN 834 units x KQ x KC, summed per apartment:
    # A1 100 x 1.2 x 1 + 50 x 0.8 x 1.05 = 120 + 42 = 162; A2 200 x 1 x 0.9 = 180;
    # A3 58 x 1 x 1 = 58; total 400; 800.00 -> 2.00 per unit
    apartments = [
        Apartment(
            "A1",
            D(50),
            allocators=(
                Allocator("r1", D(100), kq=D("1.2")),
                Allocator("r2", D(50), kq=D("0.8"), kc=D("1.05")),
            ),
        ),
        Apartment("A2", D(70), allocators=(Allocator("r3", D(200), kc=D("0.9")),)),
        Apartment("A3", D(80), allocators=(Allocator("r4", D(58)),)),
    ]

    # when
    result = amounts(KeyRule("allocator_units"), "800.00", apartments=apartments)

    # then
    assert result == {"A1": D("324.00"), "A2": D("360.00"), "A3": D("116.00")}
