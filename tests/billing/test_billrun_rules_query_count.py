"""Loading the distribution rules, areas, quotas and per-utility parameters costs a
fixed number of queries per chunk, whatever the number of apartments."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from meterbill.billing.billrun import process_chunk, start_bill_run
from meterbill.billing.distribution import set_distribution_rule

from .conftest import add_building


def test_a_chunk_with_rules_costs_the_same_queries_for_30_apartments_as_for_3(
    small_building, settings, django_assert_max_num_queries
):
    # given R1 (3 apartments, its own rule) and R30 (30 apartments, the branch
    # default rule), each a chunk of its own
    settings.BILLRUN_CHUNK_SIZE = 1
    _res30, _apts = add_building(small_building, "R30", 30)
    res, cold = small_building["residence"], small_building["utility"]
    for residence, rule in [
        (res, {"type": "consumption", "common_key": "area"}),
        (None, {"type": "consumption", "common_key": "person_days"}),
    ]:
        set_distribution_rule(
            branch=res.branch,
            residence=residence,
            utility=cold,
            valid_from=date(2026, 1, 1),
            splits="quantity",
            rule=rule,
        )
    run = start_bill_run(small_building["period"])
    small_chunk, big_chunk = run.chunks.order_by("seq")
    with CaptureQueriesContext(connection) as small:
        process_chunk(small_chunk.pk)

    # when billing the 30 apartments, then at most 2 queries more than for 3
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        result = process_chunk(big_chunk.pk)

    # and the 30 apartments were split by the branch default: person-days
    assert result is not None and result["issued"] == 30
    from meterbill.invoicing.models import InvoiceLine

    line = InvoiceLine.objects.filter(
        invoice__apartment__residence__code="R30",
        description__startswith="Cold water – common",
    ).first()
    assert line is not None
    assert line.trace["share"]["key"] == "person-days"
