"""assess_penalties on the worked example of docs/penalties.md: 1,000.00 RON due on
15 October 2026, 5 grace days, 0.1 % a day, cap 100 %."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.invoicing.corrections import cancel_invoice, credit_lines, mark_paid
from meterbill.invoicing.models import Invoice, PenaltyAssessment
from meterbill.invoicing.penalties import PenaltyError, assess_penalties

from .test_penalties_helpers import make_debtor, make_invoice, make_rule

D = Decimal


@pytest.fixture
def late(org, branches, out_dir):
    """N-2026-000001: 1,000.00 RON of contract C1 (north), due 15 October 2026."""
    contract = make_debtor(branches["north"])
    return make_invoice(contract)


def _lines(penalty_invoice):
    return list(penalty_invoice.lines.order_by("position"))


def test_it_charges_the_days_beyond_grace_of_an_invoice_paid_late(
    late, org, branches, alice
):
    # given the invoice paid on 5 November: 21 days late, 5 of them grace
    make_rule(org)
    mark_paid(late, alice, date(2026, 11, 5))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # then 16 days × 0.1 % × 1,000.00 = 16.00, on a penalty invoice of its own
    [penalty] = run.invoices
    [line] = _lines(penalty)
    assert line.description == (
        "Late-payment penalty, invoice N-2026-000001, 21 days late, 16 charged "
        "(2026-10-16 – 2026-11-05)"
    )
    assert (line.net_amount, line.vat_category) == (D("16.00"), "O")
    assert (line.starts_on, line.ends_on) == (date(2026, 10, 16), date(2026, 11, 5))
    assert (penalty.full_number, penalty.total_gross) == ("N-2026-000002", D("16.00"))
    assert penalty.contract_id == late.contract_id
    trace = line.trace["penalty"]
    assert (trace["days_late"], trace["days_charged"]) == (21, 16)
    assert trace["trace"]["variables"]["days_late"] == "21"
    a = PenaltyAssessment.objects.get()
    assert (a.invoice_id, a.penalty_invoice_id, a.days, a.amount) == (
        late.pk,
        penalty.pk,
        21,
        D("16.00"),
    )
    assert AuditEvent.objects.filter(action="penalties.assessed").count() == 1


def test_it_charges_an_unpaid_invoice_to_the_day_and_later_only_the_rest(
    late, org, branches, alice
):
    make_rule(org)

    # given an assessment on 31 October: 16 days late, 11 beyond grace → 11.00
    first = assess_penalties(branches["north"], date(2026, 10, 31), alice)
    # when it is paid on 5 November and assessed again on 10 November
    mark_paid(late, alice, date(2026, 11, 5))
    second = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # then only 1–5 November: 5 days → 5.00; 16.00 in all, as if paid at once
    assert [ln.net_amount for ln in _lines(first.invoices[0])] == [D("11.00")]
    [line] = _lines(second.invoices[0])
    assert line.net_amount == D("5.00")
    assert line.description.endswith(
        "21 days late, 5 charged (2026-11-01 – 2026-11-05)"
    )
    assert sorted(
        PenaltyAssessment.objects.values_list("starts_on", "ends_on", "amount")
    ) == [
        (date(2026, 10, 16), date(2026, 10, 31), D("11.00")),
        (date(2026, 11, 1), date(2026, 11, 5), D("5.00")),
    ]


def test_a_second_run_on_the_same_day_charges_nothing(late, org, branches, alice):
    make_rule(org)
    assess_penalties(branches["north"], date(2026, 10, 31), alice)

    again = assess_penalties(branches["north"], date(2026, 10, 31), alice)

    assert (again.late_invoices, again.charged, again.invoices) == (1, [], [])
    assert PenaltyAssessment.objects.count() == 1
    assert Invoice.objects.count() == 2  # the late invoice and one penalty invoice


def test_the_cap_bounds_all_the_assessments_of_an_invoice(late, org, branches, alice):
    # given 1 % a day with no grace, capped at 10 % (100.00), by a formula that
    # does not cap by itself
    make_rule(
        org,
        grace_days=0,
        rate_per_day_percent=D(1),
        cap_percent=D(10),
        formula="overdue_amount * rate_per_day / 100 * days_late",
    )

    # 16–20 October: 5 days × 10.00 = 50.00
    first = assess_penalties(branches["north"], date(2026, 10, 20), alice)
    # 21 October – 15 November would be 260.00, but only 50.00 is left to the cap
    second = assess_penalties(branches["north"], date(2026, 11, 15), alice)
    third = assess_penalties(branches["north"], date(2026, 11, 30), alice)

    assert first.charged[0].amount == D("50.00")
    assert second.charged[0].amount == D("50.00")
    assert second.charged[0].trace["capped"] is True
    assert third.invoices == []
    assert sum(PenaltyAssessment.objects.values_list("amount", flat=True)) == D(100)


def test_a_rule_with_a_formula_charges_what_the_formula_says(
    late, org, branches, alice
):
    # given a flat 25.00 once the grace days are over, plus the daily rate
    make_rule(
        org,
        formula="if(days_late > grace_days, 25, 0)"
        " + overdue_amount * rate_per_day / 100 * max(days_late - grace_days, 0)",
    )
    mark_paid(late, alice, date(2026, 11, 5))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # then 25.00 + 16.00
    [line] = _lines(run.invoices[0])
    assert line.net_amount == D("41.00")
    assert line.trace["penalty"]["formula"].startswith("if(days_late > grace_days")


def test_the_flat_part_of_a_formula_is_charged_once(late, org, branches, alice):
    make_rule(
        org,
        formula="if(days_late > grace_days, 25, 0)"
        " + overdue_amount * rate_per_day / 100 * max(days_late - grace_days, 0)",
    )

    first = assess_penalties(branches["north"], date(2026, 10, 31), alice)
    second = assess_penalties(branches["north"], date(2026, 11, 4), alice)

    # 25.00 + 11 days; then 4 more days only
    assert first.charged[0].amount == D("36.00")
    assert second.charged[0].amount == D("4.00")


def test_a_cancelled_invoice_is_charged_nothing(late, org, branches, alice):
    make_rule(org)
    cancel_invoice(late, alice, "wrong customer", date(2026, 10, 20))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    assert (run.late_invoices, run.invoices) == (0, [])
    assert not PenaltyAssessment.objects.exists()


def test_a_credit_note_lowers_the_overdue_amount(late, org, branches, alice):
    # given 4 of the 10 units credited on 20 October: 600.00 stays overdue
    make_rule(org)
    [line] = late.lines.all()
    credit_lines(late, alice, "meter misread", {line.pk: D(4)}, date(2026, 10, 20))
    mark_paid(Invoice.objects.get(pk=late.pk), alice, date(2026, 11, 5))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # then 16 days × 0.1 % × 600.00 = 9.60
    [due] = run.charged
    assert (due.overdue_amount, due.amount) == (D("600.00"), D("9.60"))


def test_a_penalty_below_the_minimum_waits_for_later_days(late, org, branches, alice):
    make_rule(org, minimum_amount=D("15.00"))

    # 31 October: 11.00 is below 15.00, nothing is charged nor recorded
    early = assess_penalties(branches["north"], date(2026, 10, 31), alice)
    # 5 November: the same days and 5 more make 16.00
    later = assess_penalties(branches["north"], date(2026, 11, 5), alice)

    assert early.invoices == []
    [due] = later.charged
    assert (due.starts_on, due.amount) == (date(2026, 10, 16), D("16.00"))


def test_an_invoice_paid_on_an_unknown_day_is_charged_nothing(
    late, org, branches, alice
):
    make_rule(org)
    Invoice.objects.filter(pk=late.pk).update(state=Invoice.State.PAID)

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    assert (run.late_invoices, run.invoices) == (0, [])


def test_penalty_invoices_bear_no_penalty(late, org, branches, alice):
    make_rule(org)
    assess_penalties(branches["north"], date(2026, 10, 31), alice, date(2026, 10, 31))

    # the penalty invoice (due 15 November, 15 days after its issue date) is
    # itself overdue then
    run = assess_penalties(branches["north"], date(2026, 11, 30), alice)

    assert [d.invoice.pk for d in run.charged] == [late.pk]


def test_it_never_touches_another_branchs_invoices(late, org, branches, alice):
    # given south has a late invoice too
    make_rule(org)
    south_late = make_invoice(make_debtor(branches["south"], "C9"), key="south")

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    assert [d.invoice.pk for d in run.charged] == [late.pk]
    assert not PenaltyAssessment.objects.filter(invoice=south_late).exists()
    assert not Invoice.objects.filter(branch=branches["south"]).exclude(
        pk=south_late.pk
    )


def test_a_branch_rule_overrides_the_organisations(late, org, branches, alice):
    make_rule(org)
    make_rule(org, branches["north"], grace_days=0, valid_from=date(2026, 10, 1))
    mark_paid(late, alice, date(2026, 11, 5))

    run = assess_penalties(branches["north"], date(2026, 11, 10), alice)

    # 21 days with no grace → 21.00
    assert run.charged[0].amount == D("21.00")
    assert run.rule.branch == branches["north"]


def test_it_refuses_a_branch_without_a_rule(late, branches, alice):
    with pytest.raises(PenaltyError) as err:
        assess_penalties(branches["north"], date(2026, 11, 10), alice)

    assert str(err.value) == "branch N: no penalty rule in force on 2026-11-10"


def test_the_rule_in_force_is_the_one_of_the_assessment_day(late, org, branches, alice):
    # given a rule from 2027 only
    make_rule(org, valid_from=date(2027, 1, 1))

    with pytest.raises(PenaltyError, match="no penalty rule in force on 2026-11-10"):
        assess_penalties(branches["north"], date(2026, 11, 10), alice)


def _queries_to_assess(branch, on, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run = assess_penalties(branch, on, user)
    return len(queries), run


def test_the_queries_do_not_grow_with_the_invoices(org, branches, alice):
    # given one late invoice in the north branch and six of three contracts in hq
    make_rule(org)
    make_invoice(make_debtor(branches["north"]), key="n")
    for c in range(3):
        contract = make_debtor(branches["hq"], f"H{c}")
        for i in range(2):
            make_invoice(contract, key=f"h{c}.{i}")

    one, north = _queries_to_assess(branches["north"], date(2026, 10, 31), alice)
    six, hq = _queries_to_assess(branches["hq"], date(2026, 10, 31), alice)

    assert (len(north.charged), len(hq.charged), len(hq.invoices)) == (1, 6, 3)
    assert six == one
