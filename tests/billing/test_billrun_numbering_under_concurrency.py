import threading
from datetime import date

import pytest
from django.db import connection

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Period
from meterbill.invoicing.models import Invoice

from .conftest import add_building


@pytest.mark.django_db(transaction=True)
def test_two_bill_runs_at_once_number_one_series_without_gaps_or_doubles(
    small_building, settings
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; row locks need PostgreSQL or MariaDB")
    # given four residences (3 + 3 + 3 + 3 apartments), one chunk each, and two
    # periods of the north branch billed at once into the same yearly series
    settings.BILLRUN_CHUNK_SIZE = 1
    for code in ("R2", "R3", "R4"):
        add_building(small_building, code, 3)
    october = Period.objects.create(
        branch=small_building["period"].branch,
        name="2026-10",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    errors: list[BaseException] = []

    def bill(period):
        try:
            bill_period(period, issue_date=date(2026, 12, 20))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=bill, args=(p,))
        for p in (small_building["period"], october)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    # then November bills all 12 apartments and October the 3 of R1 (the only
    # residence with an index before October; the others are held): 15 invoices
    # numbered exactly 1..15, whichever run took which numbers
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 16))
    assert Invoice.objects.filter(period=october).count() == 3
