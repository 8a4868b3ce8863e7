"""T2 adversarial: rule JSON that Python's json module cannot turn into values
(a 5,000-digit integer, 100,000 nested brackets) must come back as an error on
the rule JSON field or the CLI's file, never as a server error."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from meterbill.billing.models import DistributionRule

HUGE_INT = '{"type": "key", "key": "custom", "weights": {"1": ' + "9" * 5000 + "}}"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("text", [HUGE_INT, DEEP], ids=["huge-int", "deep"])
def test_the_rule_screen_refuses_rule_json_it_cannot_read(
    small_building, operator, client_for, text
):
    # given the operator's new-rule form with the rule type "Other (JSON)"
    client = client_for(operator)
    data = {
        "residence": small_building["residence"].pk,
        "utility": small_building["utility"].pk,
        "valid_from": "2026-12-01",
        "splits": "cost",
        "rule_type": "json",
        "rule_json": text,
    }

    # when she posts JSON that json.loads raises ValueError/RecursionError on
    response = client.post("/allocation/rules/new/", data)

    # then the form comes back with the error on the rule JSON field (today: 500)
    assert response.status_code == 200
    assert response.context["form"].errors.get("rule_json")
    assert not DistributionRule.objects.exists()


@pytest.mark.parametrize("text", [HUGE_INT, DEEP], ids=["huge-int", "deep"])
def test_the_cli_names_the_rule_file_it_cannot_read(small_building, tmp_path, text):
    # given a rule file json.loads cannot read
    path = tmp_path / "rule.json"
    path.write_text(text)

    # when it is given to set-distribution-rule, then a CommandError names the
    # file (today: "unexpected error: ValueError/RecursionError")
    with pytest.raises(CommandError, match=r"rule\.json"):
        call_command(
            "set_distribution_rule",
            residence="R1",
            utility="cold",
            rule=str(path),
            valid_from="2026-12-01",
        )
