from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn
from meterbill.metering.routes import build_route, expected_range

D = Decimal


def test_it_expects_the_average_daily_use_times_the_days_plus_minus_half(
    small_building,
):
    # W1: 90 on 30 Sep, 100 on 31 Oct → 10 m3 in 31 days. To 30 Nov: 30 days,
    # expected use 300/31 = 9.677419… m3; ±50 %: 4.838709… to 14.516129… m3.
    period = small_building["period"]

    stops = build_route([small_building["residence"].pk], period)

    w1 = stops[0]
    assert (w1.last_index, w1.last_read_on) == (D(100), date(2026, 10, 31))
    assert (w1.expected_min, w1.expected_max) == (D("104.838"), D("114.517"))
    w3 = stops[2]
    assert (w3.expected_min, w3.expected_max) == (D("304.838"), D("314.517"))


def test_it_ignores_readings_of_the_period_itself(small_building):
    # The 30 Nov readings are the ones the route collects: the last index stays 31 Oct.
    period = small_building["period"]

    stops = build_route([small_building["residence"].pk], period)

    assert {s.last_read_on for s in stops} == {date(2026, 10, 31)}


def test_it_gives_only_a_lower_bound_with_a_single_reading():
    history = [ReadingIn(1, date(2026, 10, 31), D("42.5"))]

    expected = expected_range(history, date(2026, 11, 30))

    assert (expected.low, expected.high) == (D("42.5"), None)


def test_it_gives_no_range_without_history():
    expected = expected_range([], date(2026, 11, 30))

    assert (expected.low, expected.high) == (None, None)


def test_it_never_expects_less_than_the_last_index_after_a_long_gap():
    # 10 units in 10 days, then read again the same day: the range is [last, last].
    history = [
        ReadingIn(1, date(2026, 1, 1), D(0)),
        ReadingIn(2, date(2026, 1, 11), D(10)),
    ]

    expected = expected_range(history, date(2026, 1, 11))

    assert (expected.low, expected.high) == (D(10), D(10))
