from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from meterbill.billing.billrun import BillRunBusy, bill_period, start_bill_run
from meterbill.billing.models import BillRun
from meterbill.invoicing.models import Invoice


def test_it_refuses_to_start_while_another_run_of_the_period_is_running(
    small_building,
):
    period = small_building["period"]
    first = start_bill_run(period)

    with pytest.raises(BillRunBusy, match=f"bill run {first.pk} of period 2026-11"):
        bill_period(period, issue_date=date(2026, 12, 4))

    assert not Invoice.objects.exists()


def test_a_run_abandoned_long_ago_is_given_up_and_a_new_one_bills(
    small_building, settings
):
    period = small_building["period"]
    old = start_bill_run(period)
    BillRun.objects.filter(pk=old.pk).update(
        started_at=timezone.now()
        - timedelta(seconds=settings.BILLRUN_CHUNK_TIMEOUT + 1)
    )

    run = bill_period(period, issue_date=date(2026, 12, 4))

    assert run.summary["issued"] == 3
    old.refresh_from_db()
    assert old.status == BillRun.Status.FAILED


@pytest.mark.parametrize(
    ("issue_date", "message"),
    [
        ("1900-01-01", "is before the period ends"),
        ("2026-11-29", "is before the period ends"),
        ((date.today() + timedelta(days=2)).isoformat(), "is in the future"),
    ],
)
def test_the_command_refuses_an_issue_date_outside_reason(
    small_building, issue_date, message
):
    with pytest.raises(CommandError, match=message):
        call_command(
            "billrun",
            branch="N",
            period="2026-11",
            issue_date=issue_date,
            no_documents=True,
        )

    assert not Invoice.objects.exists()
