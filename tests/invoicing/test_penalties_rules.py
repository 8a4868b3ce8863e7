"""Penalty rules are checked when saved (the same formula compiler as tariffs,
errors naming field and position), audited, and the CLI stores and assesses them
with one-line errors."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from meterbill.audit.models import AuditEvent
from meterbill.invoicing.corrections import mark_paid
from meterbill.invoicing.models import Invoice, PenaltyRule
from meterbill.invoicing.penalties import (
    PenaltyRuleError,
    assess_penalties,
    rule_in_force,
    save_penalty_rule,
)

from .test_penalties_helpers import make_debtor, make_invoice, make_rule

D = Decimal


def test_it_refuses_a_formula_with_an_unknown_name_naming_the_position(org):
    with pytest.raises(PenaltyRuleError) as err:
        make_rule(org, formula="overdue_amount * rate / 100")

    assert err.value.field == "formula"
    assert "'rate'" in str(err.value)
    assert "line 1, column 18" in str(err.value)
    assert not PenaltyRule.objects.exists()


def test_category_o_needs_an_exemption_reason(org):
    with pytest.raises(PenaltyRuleError) as err:
        make_rule(org, exemption_reason="")

    assert err.value.field == "exemption_reason"
    assert "BR-O-10" in str(err.value)


def test_a_standard_rated_penalty_is_refused(org):
    with pytest.raises(PenaltyRuleError, match="'S' is not one of O, E, Z"):
        make_rule(org, vat_category="S", exemption_reason="")


def test_a_rule_an_assessment_used_is_not_changed(org, branches, alice, out_dir):
    rule = make_rule(org)
    invoice = make_invoice(make_debtor(branches["north"]))
    mark_paid(invoice, alice, date(2026, 11, 5))
    assess_penalties(branches["north"], date(2026, 11, 10), alice)

    rule.grace_days = 0
    with pytest.raises(PenaltyRuleError, match="add a rule from a later date"):
        save_penalty_rule(rule, alice)

    assert PenaltyRule.objects.get().grace_days == 5


def test_the_nearest_branch_rule_wins_then_the_latest(org, branches):
    make_rule(org)
    hq = make_rule(org, branches["hq"], grace_days=1)
    make_rule(org, branches["hq"], grace_days=2, valid_from=date(2027, 1, 1))

    assert rule_in_force(branches["north"], date(2026, 6, 1)) == hq
    assert rule_in_force(branches["north"], date(2027, 6, 1)).grace_days == 2
    assert rule_in_force(branches["north"], date(2025, 6, 1)) is None


def test_the_cli_stores_an_audited_rule(branches, capsys):
    call_command(
        "set_penalty_rule",
        branch="N",
        valid_from=date(2026, 1, 1),
        grace_days=5,
        rate_per_day=D("0.1"),
        cap_percent=D(100),
        minimum_amount=D("1.00"),
    )

    rule = PenaltyRule.objects.get()
    assert (rule.branch, rule.grace_days, rule.rate_per_day_percent) == (
        branches["north"],
        5,
        D("0.1"),
    )
    assert rule.vat_category == "O" and rule.exemption_reason
    assert "N from 2026-01-01: 5 grace days" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="penalty_rule.add")
    assert event.after["rate_per_day_percent"] == "0.1"


def test_the_cli_names_the_option_of_a_bad_formula(branches):
    with pytest.raises(CommandError) as err:
        call_command(
            "set_penalty_rule",
            branch="N",
            organisation_wide=True,
            valid_from=date(2026, 1, 1),
            rate_per_day=D("0.1"),
            cap_percent=D(100),
            formula="days_late *",
        )

    assert str(err.value).startswith("--formula: ")
    assert "\n" not in str(err.value)


def test_the_cli_refuses_grace_days_over_ten_years(branches):
    with pytest.raises(CommandError) as err:
        call_command(
            "set_penalty_rule",
            branch="N",
            valid_from=date(2026, 1, 1),
            grace_days=3651,
            rate_per_day=D("0.1"),
            cap_percent=D(100),
        )

    assert str(err.value) == "--grace-days: must be between 0 and 3650"
    assert not PenaltyRule.objects.exists()


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("assess_penalties", {"on": date(2026, 11, 10)}),
        (
            "set_penalty_rule",
            {
                "valid_from": date(2026, 1, 1),
                "rate_per_day": D(1),
                "cap_percent": D(10),
            },
        ),
    ],
)
def test_the_cli_refuses_an_unknown_branch_in_one_line(branches, command, options):
    with pytest.raises(CommandError) as err:
        call_command(command, branch="XX", **options)

    assert str(err.value) == "--branch: no branch 'XX'"


def test_the_cli_refuses_a_branch_without_a_rule_in_one_line(branches):
    with pytest.raises(CommandError) as err:
        call_command("assess_penalties", branch="N", on=date(2026, 11, 10))

    assert str(err.value) == "branch N: no penalty rule in force on 2026-11-10"


def test_the_cli_assesses_and_prints_the_penalty_invoices(
    org, branches, alice, out_dir, capsys
):
    make_rule(org)
    invoice = make_invoice(make_debtor(branches["north"]))
    mark_paid(invoice, alice, date(2026, 11, 5))

    call_command(
        "assess_penalties",
        branch="N",
        on=date(2026, 11, 10),
        issue_date=date(2026, 11, 10),
    )

    out = capsys.readouterr().out
    assert "N-2026-000002: 1 late invoice(s), 16.00 RON" in out
    assert (
        "1 late invoice(s) looked at, 1 charged on 1 penalty invoice(s), "
        "documents of 1 written"
    ) in out
    assert Invoice.objects.get(full_number="N-2026-000002").pdf_file
