from datetime import date

import pytest

from meterbill.billing import billrun
from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice, InvoiceSeries

from .conftest import add_building


@pytest.fixture
def two_chunks(small_building, settings):
    # R1 (3 apartments, chunk 0) and R2 (2 apartments, chunk 1)
    settings.BILLRUN_CHUNK_SIZE = 1
    r2, _ = add_building(small_building, "R2", 2)
    return small_building["residence"], r2


def crash_on(monkeypatch, residence_id):
    real = billrun.bill_residence

    def failing(res, *args, **kwargs):
        if res.residence_id == residence_id:
            raise RuntimeError("engine fault")
        return real(res, *args, **kwargs)

    # billrun imported bill_residence by name: patch the name it calls
    monkeypatch.setattr(billrun, "bill_residence", failing)


def test_a_crashed_chunk_leaves_no_invoice_and_takes_no_number(
    small_building, two_chunks, monkeypatch
):
    r1, r2 = two_chunks
    crash_on(monkeypatch, r1.pk)

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then R1's chunk failed and left nothing; R2's chunk is done with numbers 1, 2
    assert run.status == "failed"
    assert run.summary["failed_chunks"] == 1
    statuses = dict(run.chunks.values_list("seq", "status"))
    assert statuses == {0: "failed", 1: "done"}
    assert not Invoice.objects.filter(apartment__residence=r1).exists()
    r2_numbers = Invoice.objects.filter(apartment__residence=r2).values_list(
        "number", flat=True
    )
    assert sorted(r2_numbers) == [1, 2]
    assert InvoiceSeries.objects.get().next_number == 3
    # and the period is not moved on
    small_building["period"].refresh_from_db()
    assert small_building["period"].state == "open"


def test_a_rerun_after_the_fault_completes_with_gapless_numbers(
    small_building, two_chunks, monkeypatch
):
    r1, _r2 = two_chunks
    crash_on(monkeypatch, r1.pk)
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    monkeypatch.undo()

    again = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then R1's three invoices take 3, 4, 5 and nothing is issued twice
    assert again.status == "done"
    assert again.summary["issued"] == 3
    numbers = Invoice.objects.order_by("number").values_list("number", flat=True)
    assert list(numbers) == [1, 2, 3, 4, 5]
    r1_numbers = Invoice.objects.filter(apartment__residence=r1).values_list(
        "number", flat=True
    )
    assert sorted(r1_numbers) == [3, 4, 5]
