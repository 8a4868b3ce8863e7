"""Tiered time-of-use energy: tier limits apply to the month's total kWh and each
tier's kWh are shared out over the periods in proportion to their use (SAM)."""

from decimal import Decimal

from meterbill.engine.money import round_money, round_to
from meterbill.engine.tariff import EnergyTier, Tariff, UsageUnit, rate_intervals

OFF_PEAK, PEAK = 0, 1
# Weekdays 17:00-21:00 are peak; everything else, and all weekend hours, off-peak.
WEEKDAY = tuple(
    tuple(PEAK if 17 <= h < 21 else OFF_PEAK for h in range(24)) for _ in range(12)
)
WEEKEND = tuple(tuple(OFF_PEAK for _ in range(24)) for _ in range(12))


def year_with_first_days(kw_per_hour: list[Decimal]) -> list[Decimal]:
    return kw_per_hour + [Decimal(0)] * (8760 - len(kw_per_hour))


def two_tier_tou_tariff(unit: UsageUnit = UsageUnit.KWH_PER_MONTH, limit: str = "50"):
    return Tariff(
        energy_periods=(
            (
                EnergyTier(Decimal("0.10"), Decimal(limit), unit),
                EnergyTier(Decimal("0.15")),
            ),
            (
                EnergyTier(Decimal("0.20"), Decimal(limit), unit),
                EnergyTier(Decimal("0.30")),
            ),
        ),
        energy_weekday=WEEKDAY,
        energy_weekend=WEEKEND,
    )


def test_it_shares_each_tier_over_the_periods_in_proportion_to_their_kwh():
    # given 1 kW for the first 72 hours: Monday 1 to Wednesday 3 January
    tariff = two_tier_tou_tariff()
    load = year_with_first_days([Decimal(1)] * 72)

    # when
    january = rate_intervals(tariff, load, year_start_weekday=0)[0]

    # then: 3 days x 4 peak hours = 12 kWh peak, 60 kWh off-peak, 72 kWh in all.
    # Tier 1 holds 50 kWh: 50 x (60 x 0.10 + 12 x 0.20) / 72 = 50 x 8.4 / 72 = 5.8333..
    # Tier 2 holds 22 kWh: 22 x (60 x 0.15 + 12 x 0.30) / 72 = 22 x 12.6 / 72 = 3.85
    # Energy = 9.68333.. -> 9.68
    assert january.trace.kwh_by_period == {OFF_PEAK: Decimal(60), PEAK: Decimal(12)}
    shares = january.trace.kwh_by_period_tier
    assert round_to(shares[(OFF_PEAK, 0)], Decimal("0.001")) == Decimal("41.667")
    assert round_to(shares[(PEAK, 1)], Decimal("0.001")) == Decimal("3.667")  # 22x12/72
    assert round_money(january.energy, "USD") == Decimal("9.68")
    assert round_money(january.total, "USD") == Decimal("9.68")


def test_it_follows_the_weekend_schedule_on_saturdays_and_sundays():
    # given 1 January is a Saturday, so only Monday 3 January has peak hours
    tariff = two_tier_tou_tariff()
    load = year_with_first_days([Decimal(1)] * 72)

    # when
    january = rate_intervals(tariff, load, year_start_weekday=5)[0]

    # then 4 kWh peak, 68 off-peak:
    # 50 x (68 x 0.10 + 4 x 0.20) / 72 = 50 x 7.6 / 72 = 5.2777..
    # 22 x (68 x 0.15 + 4 x 0.30) / 72 = 22 x 11.4 / 72 = 3.4833..
    # Energy = 8.7611.. -> 8.76
    assert january.trace.kwh_by_period == {OFF_PEAK: Decimal(68), PEAK: Decimal(4)}
    assert round_money(january.energy, "USD") == Decimal("8.76")


def test_it_scales_daily_tier_limits_by_the_days_of_the_month():
    # given a first tier of 1 kWh a day, and 1 kW for the first 72 hours
    tariff = two_tier_tou_tariff(UsageUnit.KWH_PER_DAY, limit="1")
    load = year_with_first_days([Decimal(1)] * 72)

    # when
    january = rate_intervals(tariff, load)[0]

    # then January's tier 1 ends at 31 kWh:
    # 31 x (60 x 0.10 + 12 x 0.20) / 72 = 31 x 8.4 / 72 = 3.61666..
    # 41 x (60 x 0.15 + 12 x 0.30) / 72 = 41 x 12.6 / 72 = 7.175
    # Energy = 10.79166.. -> 10.79
    assert january.trace.tier_limits_kwh == (Decimal(31), None)
    assert round_money(january.energy, "USD") == Decimal("10.79")


def test_it_charges_nothing_for_a_month_without_use():
    # given load in January only
    tariff = two_tier_tou_tariff()
    load = year_with_first_days([Decimal(1)] * 72)

    # when
    february = rate_intervals(tariff, load)[1]

    # then
    assert february.energy == 0
    assert february.total == 0
