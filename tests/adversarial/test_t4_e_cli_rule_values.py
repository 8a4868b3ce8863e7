"""T4 adversarial (E, penalties): ``set-penalty-rule`` stores what its screen
refuses, or crashes. NaN and sNaN end in a decimal.InvalidOperation traceback,
Infinity in a ValidationError traceback. Values over a column's digits
(``--cap-percent 1e9``, ``--rate-per-day 123456789``, ``--minimum-amount 1e30``)
are stored on SQLite, after which every read of the rule fails: the Penalties page
is a 500 for the branch (for the whole organisation with ``--organisation-wide``)
and so is its assessment; PostgreSQL would refuse them with a traceback.
``--rate-per-day 0.00001`` is stored as 0.0000 (a rule that charges nothing) while
the command prints 0.00001; an exemption reason of 300 characters goes into a
200-character column. The screen (PenaltyRuleForm) refuses each of them on its
field."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from adversarial.conftest import make_user
from meterbill.invoicing.models import PenaltyRule

pytestmark = pytest.mark.django_db
BASE = {"--rate-per-day": "0.1", "--cap-percent": "100"}
CASES = {
    "rate-nan": ("--rate-per-day", "NaN"),
    "rate-infinity": ("--rate-per-day", "Infinity"),
    "cap-snan": ("--cap-percent", "sNaN"),
    "rate-too-many-digits": ("--rate-per-day", "123456789"),
    "cap-too-many-digits": ("--cap-percent", "1e9"),
    "minimum-too-many-digits": ("--minimum-amount", "1e30"),
    "rate-too-many-places": ("--rate-per-day", "0.00001"),
    "reason-too-long": ("--exemption-reason", "x" * 300),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_set_penalty_rule_refuses_a_bad_value_naming_the_option(branches, case):
    option, value = CASES[case]
    args = {**BASE, option: value}

    with pytest.raises(CommandError) as refused:
        call_command(
            "set_penalty_rule",
            "--branch",
            "N",
            "--valid-from",
            "2026-01-01",
            *[part for pair in args.items() for part in pair],
            stdout=io.StringIO(),
        )

    assert str(refused.value).startswith(option)
    assert not PenaltyRule.objects.exists()


def test_the_penalties_page_opens_after_set_penalty_rule_is_given_a_huge_cap(
    branches, client_for
):
    try:
        call_command(
            "set_penalty_rule",
            "--branch",
            "N",
            "--organisation-wide",
            "--valid-from",
            "2026-01-01",
            "--rate-per-day",
            "0.1",
            "--cap-percent",
            "1e9",
            stdout=io.StringIO(),
        )
    except CommandError:
        pass  # refusing it is the fix
    client = client_for(make_user("sam", branches["south"], "branch_manager"))
    client.raise_request_exception = False

    assert client.get("/penalties/").status_code == 200
