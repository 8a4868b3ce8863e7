"""T4 adversarial (E, penalties): two assessments of the same branch and day at
once (a double click on *Assess and issue*, or the CLI beside the web). The second
waits on the series lock, then finds the penalty invoice the first issued under the
same idempotency key, so ``issue_charges`` returns nothing for it and ``_issue``
fails on ``by_key[contract]`` with a KeyError: a traceback / server error instead of
docs/penalties.md's "another assessment charged some of these days meanwhile; run
it again" (PenaltyError). Nothing is charged twice (the KeyError rolls back).

The race is reproduced in one thread: the competing assessment runs, whole and
committed, right after this one has read the late invoices (the real
``late_invoices``, wrapped). Days of another ``--on`` already give the documented
PenaltyError (checked below, passing)."""

from __future__ import annotations

from datetime import date

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing import penalties
from meterbill.invoicing.models import Invoice, PenaltyAssessment
from meterbill.invoicing.penalties import PenaltyError, assess_penalties

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 10)


def _race(monkeypatch, branch, other_on: date) -> None:
    """Run ``assess_penalties(branch, ON)`` with another whole assessment of
    ``other_on`` committed between its read and its writes."""
    read = penalties.late_invoices
    raced: list[bool] = []

    def read_then_compete(b, on):
        rows = list(read(b, on))
        if not raced:
            raced.append(True)
            assess_penalties(b, other_on, None)
        return rows

    monkeypatch.setattr(penalties, "late_invoices", read_then_compete)
    assess_penalties(branch, ON, None)


@pytest.fixture
def late(org, branches, out_dir):
    make_rule(org)
    return make_invoice(make_debtor(branches["north"]))


def test_a_concurrent_run_of_the_same_day_is_refused_with_the_message(
    late, branches, monkeypatch
):
    with pytest.raises(PenaltyError, match="another assessment"):
        _race(monkeypatch, branches["north"], ON)

    assert (PenaltyAssessment.objects.count(), Invoice.objects.count()) == (1, 2)


def test_a_concurrent_run_of_another_day_is_refused_with_the_message(
    late, branches, monkeypatch
):
    with pytest.raises(PenaltyError, match="another assessment"):
        _race(monkeypatch, branches["north"], date(2026, 11, 9))

    assert (PenaltyAssessment.objects.count(), Invoice.objects.count()) == (1, 2)
