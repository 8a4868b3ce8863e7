from django.db import connection
from django.test.utils import CaptureQueriesContext

from meterbill.billing.billrun import process_chunk, start_bill_run

from .conftest import add_building


def test_a_chunk_of_30_apartments_costs_the_queries_of_a_chunk_of_3(
    small_building, settings, django_assert_max_num_queries
):
    # given R1 with 3 apartments and R30 with 30, each a chunk of its own
    settings.BILLRUN_CHUNK_SIZE = 1
    add_building(small_building, "R30", 30)
    run = start_bill_run(small_building["period"])
    small_chunk, big_chunk = run.chunks.order_by("seq")
    with CaptureQueriesContext(connection) as small:
        process_chunk(small_chunk.pk)

    # when billing the 30 apartments, then at most 2 queries more than for 3
    # (set-based reads and bulk writes: the count does not grow with apartments)
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        result = process_chunk(big_chunk.pk)

    assert result is not None and result["issued"] == 30
