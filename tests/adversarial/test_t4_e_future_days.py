"""T4 adversarial (E, penalties): an assessment day after today charges days that
have not happened yet. An unpaid 1,000.00 invoice due 15 October 2026 assessed
"through" today + 400 days is charged 445.00 now (capped at 100 % further on);
if the customer pays tomorrow, nothing ever gives the days after it back. The bill
run refuses to bill a period before it has ended; the penalty service, the CLI and
the *Assess and issue* form accept any day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing.models import PenaltyAssessment
from meterbill.invoicing.penalties import PenaltyError, assess_penalties

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(org, branches, out_dir):
    """N-2026-000001, 1,000.00 RON due 15 October 2026, unpaid; the worked
    example's rule (5 grace days, 0.1 %/day, cap 100 %)."""
    make_rule(org)
    return make_invoice(make_debtor(branches["north"]))


def _charged_after_today() -> list:
    today = timezone.localdate()
    return list(
        PenaltyAssessment.objects.filter(ends_on__gt=today).values_list(
            "ends_on", "amount"
        )
    )


def test_the_service_never_charges_a_day_after_today(late, branches, alice):
    on = timezone.localdate() + timedelta(days=30)

    try:
        assess_penalties(branches["north"], on, alice)
    except PenaltyError:
        pass  # refusing the day is a fix too

    assert _charged_after_today() == []


def test_the_cli_refuses_an_assessment_day_after_today(late, capsys):
    on = (timezone.localdate() + timedelta(days=30)).isoformat()

    with pytest.raises(CommandError, match="--on"):
        call_command("assess_penalties", "--branch", "N", "--on", on)

    assert _charged_after_today() == []


def test_the_assess_form_refuses_a_day_after_today(late, branches, alice, client_for):
    on = (timezone.localdate() + timedelta(days=30)).isoformat()

    client_for(alice).post(
        "/penalties/assess/", {"branch": branches["north"].pk, "on": on}
    )

    assert _charged_after_today() == []
