"""Building average per m²: the measured use of the other apartments per m² × the
apartment's area."""

from decimal import Decimal

from meterbill.engine.estimation import building_average_per_m2

D = Decimal


def test_it_shares_the_measured_use_per_square_metre():
    # given three measured apartments: 12 m3 on 60 m², 9 m3 on 45 m², 6 m3 on 30 m²
    measured = [(D(12), D(60)), (D(9), D(45)), (D(6), D(30))]

    estimate = building_average_per_m2(measured, D("52.5"))

    # then 27 m3 / 135 m² = 0.2 m3 per m², × 52.5 m² = 10.500 m3
    assert estimate is not None
    assert (estimate.quantity, estimate.method) == (D("10.500"), "building_average_m2")
    assert estimate.basis == (
        "building average 0.200 per m² over 3 apartments (27 / 135 m²) × 52.5 m²"
    )


def test_it_rounds_half_up_to_the_step():
    # given 10 m3 on 30 m²: 1/3 m3 per m²
    estimate = building_average_per_m2([(D(10), D(30))], D(50), step=D("0.01"))

    # then 50 / 3 = 16.666… → 16.67
    assert estimate is not None and estimate.quantity == D("16.67")


def test_it_cannot_estimate_without_measured_area():
    assert building_average_per_m2([], D(50)) is None
    assert building_average_per_m2([(D(5), D(0))], D(50)) is None
    assert building_average_per_m2([(D(5), D(40))], D(0)) is None
