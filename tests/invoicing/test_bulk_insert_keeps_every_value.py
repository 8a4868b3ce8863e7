"""``dbbulk.insert_rows`` writes invoice lines with COPY on PostgreSQL and with
executemany elsewhere: either way a line reads back exactly as it was given."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.dbbulk import insert_rows
from meterbill.invoicing.issue import LINE_COLUMNS
from meterbill.invoicing.models import Invoice, InvoiceLine

D = Decimal


def test_it_writes_text_numbers_dates_json_and_nulls_as_given(small_building):
    # given an issued invoice of the small building
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    inv = Invoice.objects.order_by("pk").first()
    assert inv is not None
    after = inv.lines.count()

    # when two more lines are inserted in bulk: one with the characters COPY must
    # escape (tab, newline, backslash, quotes) and nested JSON; one without utility
    # and dates
    trace = {"utility": "cold", "note": 'a\tb\nc\\d "e"', "part": ["2026-11-01"]}
    rows = [
        (
            inv.pk,
            after + 1,
            small_building["utility"].pk,
            'Apă rece\t– "comun"\n\\ 1',
            D("1.234567"),
            "m3",
            "MTQ",
            D("5.000001"),
            D("6.17"),
            "S",
            D("11.00"),
            trace,
            date(2026, 11, 1),
            date(2026, 11, 15),
        ),
        (
            inv.pk,
            after + 2,
            None,
            "",
            D("0"),
            "",
            "",
            D("0"),
            D("-0.01"),
            "Z",
            D("0"),
            {},
            None,
            None,
        ),
    ]
    assert insert_rows(InvoiceLine, LINE_COLUMNS, rows) == 2

    # then both read back value for value
    got = list(
        InvoiceLine.objects.filter(invoice=inv, position__gt=after)
        .order_by("position")
        .values_list(*LINE_COLUMNS)
    )
    assert got == rows
