from django.db import connection
from django.test.utils import CaptureQueriesContext

from meterbill.metering.routes import build_route


def test_it_builds_a_route_with_the_same_queries_for_one_or_two_residences(
    staircase_building, small_building
):
    period = small_building["period"]
    one = [small_building["residence"].pk]
    two = [*one, staircase_building.pk]

    with CaptureQueriesContext(connection) as for_one:
        build_route(one, period)
    with CaptureQueriesContext(connection) as for_two:
        stops = build_route(two, period)

    assert len(stops) == 9
    assert len(for_one.captured_queries) == len(for_two.captured_queries) == 5
