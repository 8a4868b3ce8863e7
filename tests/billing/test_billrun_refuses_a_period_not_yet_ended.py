from datetime import date

import pytest

from meterbill.billing.billrun import BillRunRefused, bill_period
from meterbill.billing.periods import PeriodRefused, open_period
from meterbill.invoicing.models import Invoice


def test_it_refuses_to_bill_a_period_before_its_last_day(small_building):
    with pytest.raises(BillRunRefused, match="ends on 2026-11-30"):
        bill_period(small_building["period"], issue_date=date(2026, 11, 29))

    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("name", "starts_on", "message"),
    [
        ("../../escape", date(2027, 2, 1), "letters, digits"),
        ("a/b", date(2027, 2, 1), "letters, digits"),
        ("", date(2027, 2, 1), "letters, digits"),
        ("old", date(1900, 1, 1), "starts before 1970-01-01"),
    ],
)
def test_it_refuses_unsafe_names_and_ancient_periods(
    branches, name, starts_on, message
):
    with pytest.raises(PeriodRefused, match=message):
        open_period(branches["north"], name, starts_on, starts_on.replace(day=28))
