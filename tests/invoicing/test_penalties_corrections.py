"""What happens to penalties when the documents change after an assessment: a
payment recorded later with an earlier payment day, a cancelled penalty invoice, a
formula that fails on one invoice, and the days and dates an assessment refuses
(docs/penalties.md)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meterbill.invoicing.corrections import cancel_invoice, mark_paid
from meterbill.invoicing.models import Invoice, PenaltyAssessment
from meterbill.invoicing.penalties import PenaltyError, assess_penalties

from .test_penalties_helpers import make_debtor, make_invoice, make_rule

D = Decimal
K, S = Invoice.Kind, Invoice.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def late(org, branches):
    """N-2026-000001: 1,000.00 RON due 15 October 2026, unpaid; the worked
    example's rule (5 grace days, 0.1 %/day, cap 100 %)."""
    make_rule(org)
    return make_invoice(make_debtor(branches["north"]))


def test_a_payment_recorded_late_credits_the_days_after_it(late, branches, alice):
    # given an assessment through 10 November while unpaid: 26 days late, 21
    # charged → 21.00 on N-2026-000002
    first = assess_penalties(
        branches["north"], date(2026, 11, 10), alice, date(2026, 11, 10)
    )
    [penalty] = first.invoices

    # when the payment of 5 November is recorded afterwards and the branch is
    # assessed again
    mark_paid(Invoice.objects.get(pk=late.pk), alice, date(2026, 11, 5))
    second = assess_penalties(
        branches["north"], date(2026, 11, 20), alice, date(2026, 11, 20)
    )

    # then 6–10 November (5 days, 5.00) go back on a credit note of the penalty
    # invoice, which leaves 16.00: the penalty of the 16 days charged when paid
    [note] = second.credit_notes
    assert (note.kind, note.corrects_id, note.total_gross) == (
        K.CREDIT_NOTE,
        penalty.pk,
        D("5.00"),
    )
    assert (note.full_number, note.issue_date) == ("N-2026-000003", date(2026, 11, 20))
    [line] = note.lines.all()
    assert line.description == (
        "Late-payment penalty credited, invoice N-2026-000001 paid on 2026-11-05: "
        "5 days not late (2026-11-06 – 2026-11-10)"
    )
    assert (line.vat_category, line.starts_on, line.ends_on) == (
        "O",
        date(2026, 11, 6),
        date(2026, 11, 10),
    )
    assert note.frozen["seller"]["vat_id"] == ""  # BR-O-02, as on the penalty invoice
    assessment = PenaltyAssessment.objects.get()
    assert (
        assessment.credited_from,
        assessment.credited_amount,
        assessment.credited_by_id,
    ) == (date(2026, 11, 6), D("5.00"), note.pk)
    assert second.charged == []


def test_the_days_after_a_payment_are_credited_once(late, branches, alice):
    assess_penalties(branches["north"], date(2026, 11, 10), alice)
    mark_paid(Invoice.objects.get(pk=late.pk), alice, date(2026, 11, 5))
    assess_penalties(branches["north"], date(2026, 11, 20), alice)

    again = assess_penalties(branches["north"], date(2026, 11, 25), alice)

    assert (again.credit_notes, again.charged) == ([], [])
    assert Invoice.objects.filter(kind=K.CREDIT_NOTE).count() == 1


def test_a_payment_before_a_later_assessment_credits_all_of_it(late, branches, alice):
    # given 16–31 October (11.00) and 1–10 November (10.00) assessed unpaid
    assess_penalties(branches["north"], date(2026, 10, 31), alice)
    assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # when the payment of 31 October is recorded
    mark_paid(Invoice.objects.get(pk=late.pk), alice, date(2026, 10, 31))
    run = assess_penalties(branches["north"], date(2026, 11, 20), alice)

    # then the second assessment is credited whole, the first kept
    [note] = run.credit_notes
    assert note.total_gross == D("10.00")
    assert sorted(
        PenaltyAssessment.objects.values_list("amount", "credited_amount")
    ) == [(D("10.00"), D("10.00")), (D("11.00"), D("0.00"))]


def test_cancelling_a_penalty_invoice_releases_its_days(org, late, branches, alice):
    # given 21.00 charged through 10 November with a rule that turns out wrong
    [penalty] = assess_penalties(branches["north"], date(2026, 11, 10), alice).invoices

    # when the penalty invoice is cancelled and a corrected rule (10 grace days)
    # is added from 1 November
    cancel_invoice(penalty, alice, "wrong grace days", date(2026, 11, 12))
    make_rule(org, grace_days=10, valid_from=date(2026, 11, 1))
    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # then the same days are assessed again: 26 late, 16 charged → 16.00
    [again] = run.invoices
    assert again.total_gross == D("16.00")
    assert list(
        PenaltyAssessment.objects.order_by("pk").values_list(
            "penalty_invoice_id", "starts_on", "amount", "in_force"
        )
    ) == [
        (penalty.pk, date(2026, 10, 16), D("21.00"), None),
        (again.pk, date(2026, 10, 16), D("16.00"), True),
    ]


@pytest.fixture
def two_late(org, branches):
    """1,000.00 (N-2026-000001) and 100.00 (N-2026-000002) due 15 October, on
    contracts of their own; the formula divides by zero for 1,000.00 and gives
    100 × 90 / 900 = 10.00 for 100.00."""
    make_rule(org, formula="overdue_amount * 90 / (1000 - overdue_amount)")
    first = make_invoice(make_debtor(branches["north"]))
    second = make_invoice(make_debtor(branches["north"], "C2"), "1", key="second")
    return first, second


def test_a_formula_failing_on_one_invoice_skips_only_it(two_late, branches, alice):
    first, second = two_late

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    [skipped] = run.skipped
    assert skipped.invoice.pk == first.pk
    assert skipped.error.startswith("division by zero at line 1, column 21")
    assert [(d.invoice.pk, d.amount) for d in run.charged] == [(second.pk, D("10.00"))]
    assert not PenaltyAssessment.objects.filter(invoice=first).exists()


def test_the_cli_charges_the_others_and_exits_naming_the_skipped_invoice(
    two_late, out_dir
):
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "assess_penalties", "--branch", "N", "--on", "2026-11-10", stdout=out
        )

    assert "1 late invoice(s) skipped" in str(refused.value)
    assert "invoice N-2026-000001: division by zero" in str(refused.value)
    printed = out.getvalue()
    assert "N-2026-000003: 1 late invoice(s), 10.00 RON" in printed
    assert "  skipped invoice N-2026-000001: division by zero" in printed
    assert PenaltyAssessment.objects.count() == 1


def test_an_assessment_day_after_today_is_refused_naming_it(late, branches, alice):
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(PenaltyError) as refused:
        assess_penalties(branches["north"], tomorrow, alice)

    assert refused.value.field == "on"
    assert not Invoice.objects.exclude(pk=late.pk).exists()


def test_an_issue_date_on_the_assessment_day_is_accepted(late, branches, alice):
    run = assess_penalties(
        branches["north"], date(2026, 11, 10), alice, date(2026, 11, 10)
    )

    assert [i.issue_date for i in run.invoices] == [date(2026, 11, 10)]


def test_a_seller_without_a_registration_number_is_told_which_setting(
    org, late, branches, alice
):
    org.company_id = ""
    org.save()

    with pytest.raises(PenaltyError, match="company registration number"):
        assess_penalties(branches["north"], date(2026, 11, 10), alice)

    assert not PenaltyAssessment.objects.exists()


def test_a_seller_without_a_registration_number_may_charge_in_category_e(
    org, branches, alice
):
    org.company_id = ""
    org.save()
    make_rule(org, vat_category="E", exemption_reason="Exempt, art. 292")
    make_invoice(make_debtor(branches["north"]))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    assert [i.total_gross for i in run.invoices] == [D("21.00")]


def test_the_cli_lists_the_penalty_invoices_in_one_query(org, branches, out_dir):
    make_rule(org)
    for n in range(3):
        make_invoice(make_debtor(branches["north"], f"C{n}"), key=f"k{n}")

    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "assess_penalties", "--branch", "N", "--on", "2026-11-10", stdout=out
        )

    counted = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "invoicing_invoiceline" in q["sql"]
    ]
    assert len(counted) == 1
    assert out.getvalue().count(": 1 late invoice(s), 21.00 RON") == 3
