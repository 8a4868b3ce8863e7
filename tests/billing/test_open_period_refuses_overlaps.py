from datetime import date

import pytest

from meterbill.billing.models import Period
from meterbill.billing.periods import PeriodRefused, open_period


def test_it_refuses_a_period_overlapping_one_of_the_same_branch(branches):
    north = branches["north"]
    open_period(north, "2023-03", date(2023, 3, 1), date(2023, 3, 31))

    with pytest.raises(PeriodRefused, match="overlaps period '2023-03' of branch N"):
        open_period(north, "X3", date(2023, 3, 15), date(2023, 4, 15))

    assert Period.objects.count() == 1


def test_it_refuses_an_overlap_with_an_ancestor_or_a_descendant(branches):
    open_period(branches["hq"], "HQ-Q1", date(2023, 1, 1), date(2023, 3, 31))

    with pytest.raises(PeriodRefused, match="of branch HQ"):
        open_period(branches["north"], "N-03", date(2023, 3, 1), date(2023, 3, 31))


def test_sibling_branches_may_bill_the_same_month(branches):
    open_period(branches["north"], "2023-03", date(2023, 3, 1), date(2023, 3, 31))

    open_period(branches["south"], "2023-03", date(2023, 3, 1), date(2023, 3, 31))

    assert Period.objects.count() == 2


def test_it_refuses_a_period_of_more_than_400_days(branches):
    with pytest.raises(PeriodRefused, match="at most 400 days"):
        open_period(branches["north"], "forever", date(2023, 1, 1), date(9999, 12, 31))
