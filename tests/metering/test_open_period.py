from datetime import date

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.billing.periods import PeriodRefused, open_period


def test_it_opens_a_period_and_records_it(branches):
    north = branches["north"]

    period = open_period(north, "2026-12", date(2026, 12, 1), date(2026, 12, 31))

    assert (period.state, period.starts_on, period.ends_on) == (
        "open",
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    event = AuditEvent.objects.get(action="period.open")
    assert event.after["name"] == "2026-12"


def test_it_refuses_a_second_period_of_the_same_name_and_reversed_dates(branches):
    north = branches["north"]
    open_period(north, "2026-12", date(2026, 12, 1), date(2026, 12, 31))

    with pytest.raises(PeriodRefused, match="already has a period '2026-12'"):
        open_period(north, "2026-12", date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(PeriodRefused, match="ends"):
        open_period(north, "2027-01", date(2027, 1, 31), date(2027, 1, 1))
