"""T4 adversarial (E, penalties): "a rule an assessment used cannot be changed"
(docs/penalties.md) holds only when the edit comes after the assessment committed.
``assess_penalties`` reads the rule and prices the days before its transaction and
never locks the rule row, while ``save_penalty_rule`` finds the rule not yet used
and saves. The assessment then records days priced with 5 grace days against a
rule that now says 0: the stored rule no longer prices what it charged, and it can
no longer be corrected because it is now used.

The race is reproduced in one thread: the edit is saved, committed, right after the
assessment has read the late invoices (the real ``late_invoices``, wrapped)."""

from __future__ import annotations

from datetime import date

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing import penalties
from meterbill.invoicing.models import PenaltyAssessment, PenaltyRule
from meterbill.invoicing.penalties import (
    PenaltyError,
    assess_penalties,
    save_penalty_rule,
)

pytestmark = pytest.mark.django_db


def test_a_rule_edited_during_an_assessment_still_prices_what_it_charged(
    org, branches, alice, out_dir, monkeypatch
):
    # given the worked example's rule (5 grace days) and an unpaid invoice
    rule = make_rule(org)
    make_invoice(make_debtor(branches["north"]))
    read = penalties.late_invoices

    def read_then_edit(branch, on):
        rows = list(read(branch, on))
        edited = PenaltyRule.objects.get(pk=rule.pk)
        edited.grace_days = 0
        save_penalty_rule(edited, None)
        return rows

    monkeypatch.setattr(penalties, "late_invoices", read_then_edit)

    # when the rule is edited while the branch is being assessed
    try:
        assess_penalties(branches["north"], date(2026, 10, 31), alice)
    except PenaltyError:
        return  # refusing the assessment (or the edit) is a fix too

    # then the rule the assessment names is the one that priced it
    charged = PenaltyAssessment.objects.get()
    assert charged.trace["grace_days"] == charged.rule.grace_days
