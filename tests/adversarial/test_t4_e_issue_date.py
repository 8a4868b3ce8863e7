"""T4 adversarial (E, penalties): ``assess-penalties --issue-date`` takes any day.
A penalty invoice dated 1 January 2025 (a new N-2025 series) charges days late in
October and November 2026, and one dated 1 November charges an unpaid invoice
through 10 November: an invoice dated before the days it charges. The bill run
refuses the like ("a period is billed once it has ended")."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing.models import Invoice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("issue_date", ["2025-01-01", "2026-11-01"])
def test_a_penalty_invoice_is_not_dated_before_the_days_it_charges(
    org, branches, out_dir, issue_date
):
    # given N-2026-000001 (1,000.00 due 15 October 2026) unpaid
    make_rule(org)
    make_invoice(make_debtor(branches["north"]))

    # when assessed through 10 November with an earlier issue date
    with pytest.raises(CommandError, match="--issue-date"):
        call_command(
            "assess_penalties",
            "--branch",
            "N",
            "--on",
            "2026-11-10",
            "--issue-date",
            issue_date,
        )

    # then no penalty invoice is issued
    assert Invoice.objects.count() == 1
