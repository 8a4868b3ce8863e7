"""T4 adversarial (E, penalties): a rule's formula is checked when saved (syntax
and names) but can still fail when evaluated: ``overdue_amount / (days_late - 26)``
divides by zero for an invoice 26 days late, and
``overdue_amount * 100000000000000000000000000000`` is "result out of range"
before the cap could bound it. The FormulaError escapes
``assess_penalties``: ``assess-penalties`` ends in a traceback instead of a
CommandError, and *Assess and issue* is a server error (500) instead of a message."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing.models import PenaltyAssessment

pytestmark = pytest.mark.django_db
FORMULA = "overdue_amount / (days_late - 26)"


@pytest.fixture
def late(org, branches, out_dir):
    """N-2026-000001 due 15 October 2026, unpaid: 26 days late on 10 November."""
    make_rule(org, formula=FORMULA)
    return make_invoice(make_debtor(branches["north"]))


def test_the_cli_names_the_formula_error(late):
    with pytest.raises(CommandError) as refused:
        call_command("assess_penalties", "--branch", "N", "--on", "2026-11-10")

    assert "division by zero" in str(refused.value)
    assert not PenaltyAssessment.objects.exists()


def test_the_cli_names_a_formula_out_of_range(org, branches, out_dir):
    make_rule(org, formula="overdue_amount * 100000000000000000000000000000")
    make_invoice(make_debtor(branches["north"]))

    with pytest.raises(CommandError) as refused:
        call_command("assess_penalties", "--branch", "N", "--on", "2026-11-10")

    assert "out of range" in str(refused.value)
    assert not PenaltyAssessment.objects.exists()


def test_the_assess_button_shows_the_formula_error(late, branches, alice, client_for):
    client = client_for(alice)
    client.raise_request_exception = False

    response = client.post(
        "/penalties/assess/", {"branch": branches["north"].pk, "on": "2026-11-10"}
    )

    assert response.status_code == 302
    assert not PenaltyAssessment.objects.exists()
