"""The invoice PDF's consumption history: one bar chart per utility, from the issued
invoice lines of the contract, drawn as inline SVG with hand-computed bar heights."""

import re
from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Period
from meterbill.formats.chart_svg import Bar, bar_heights, svg
from meterbill.invoicing.corrections import cancel_invoice, rebill
from meterbill.invoicing.documents import render_pdf_html
from meterbill.invoicing.history import consumption_history
from meterbill.invoicing.models import Invoice

D = Decimal


@pytest.fixture
def two_periods(small_building):
    """The small building billed for October and November 2026.

    October: every apartment meter advanced 10 m3 (e.g. apt 2: 190 → 200); the main
    meter has no reading on 30 Sep, so nothing common: apt 2 billed 10 m3.
    November (tests/billing): apt 2 own 20 m3 + common 2 m3 = 22 m3.
    """
    october = Period.objects.create(
        branch=small_building["period"].branch,
        name="2026-10",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    bill_period(october, issue_date=date(2026, 11, 4))
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    apt2 = small_building["apartments"][1]
    return Invoice.objects.get(apartment=apt2, period=small_building["period"])


def heights(svg_text: str) -> dict[str, str]:
    return dict(
        re.findall(r'class="bar" data-period="([^"]+)" x="[^"]+" y="[^"]+" '
                   r'width="[^"]+" height="([^"]+)"', svg_text)
    )  # fmt: skip


def test_it_draws_the_largest_quantity_full_height():
    # 22 mm plot: 5/40 × 22 = 2.75 → 2.8 (half-up), 20/40 × 22 = 11.0, 40 → 22.0;
    # a period credited below zero draws no bar.
    assert bar_heights([D(5), D(20), D(40), D(-3)]) == [
        D("2.8"),
        D("11.0"),
        D("22.0"),
        D("0.0"),
    ]
    assert bar_heights([D(0), D(0)]) == [D("0.0"), D("0.0")]


def test_it_marks_estimated_periods_and_keeps_the_last_twelve():
    bars = [Bar(f"{m:02d}/26", D(m), str(m), estimated=m == 13) for m in range(1, 14)]

    drawn = svg("Water (m3)", bars, "estimated")

    # 13 bars given, the first (01/26) falls off; 13 is the largest: 22.0 mm
    found = heights(drawn)
    assert list(found) == [f"{m:02d}/26" for m in range(2, 14)]
    assert found["13/26"] == "22.0"
    assert found["02/26"] == "3.4"  # 2/13 × 22 = 3.38 → 3.4
    assert 'fill="url(#est-h)"' in drawn and "13*</text>" in drawn
    assert "* estimated" in drawn


def test_it_reads_the_contracts_history_from_its_issued_lines(two_periods):
    history = consumption_history([two_periods])[two_periods.pk]

    # then one utility (cold water, m3; the fixed charge is not consumption):
    # October 10 m3, November 20 own + 2 common = 22 m3
    assert [(h.utility, h.unit) for h in history] == [("Cold water", "m3")]
    assert [(p.name, p.quantity, p.estimated) for p in history[0].periods] == [
        ("2026-10", D(10), False),
        ("2026-11", D(22), False),
    ]


def test_it_draws_the_history_in_the_invoice_html(two_periods):
    html = render_pdf_html(two_periods)

    # 22 m3 is the full 22.0 mm; 10/22 × 22 = 10.0 mm
    assert heights(html) == {"10/26": "10.0", "11/26": "22.0"}
    assert "Consumption history" in html and "Cold water (m3)" in html


def test_it_counts_a_rebilled_period_once_and_drops_a_cancelled_one(two_periods):
    october = Invoice.objects.get(
        apartment=two_periods.apartment, period__name="2026-10"
    )
    rebill(two_periods, None, "persons corrected", date(2026, 12, 5))
    cancel_invoice(october, None, "billed twice", date(2026, 12, 5))
    new = Invoice.objects.get(corrects=two_periods, kind=Invoice.Kind.INVOICE)

    history = consumption_history([new])[new.pk]

    # November: the original (22) and its credit note (22) drop out, the rebilled
    # invoice counts 22; October: cancelled with its credit note, nothing left.
    assert [(p.name, p.quantity) for p in history[0].periods] == [("2026-11", D(22))]


def test_it_reads_a_batch_of_invoices_in_one_query(
    two_periods, django_assert_num_queries
):
    invoices = list(Invoice.objects.select_related("period").filter(kind="invoice"))

    with django_assert_num_queries(1):
        history = consumption_history(invoices)

    assert len(history) == 6


def test_it_marks_a_period_billed_on_an_estimate(small_building):
    from meterbill.metering.models import Reading

    # given apartment 2's closing reading of November missing: the bill run
    # estimates it from the average daily use
    Reading.objects.filter(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    ).delete()
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    invoice = Invoice.objects.get(apartment=small_building["apartments"][1])

    history = consumption_history([invoice])[invoice.pk]

    assert [p.estimated for p in history[0].periods] == [True]
    assert 'fill="url(#est-h0)"' in render_pdf_html(invoice)
