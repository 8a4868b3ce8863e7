import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from meterbill.billing.models import DistributionRule


def test_it_stores_a_residences_rule_from_a_json_file(small_building, tmp_path, capsys):
    # given a rule file in the scenario rule shape; 12.50 stays exact (Decimal)
    path = tmp_path / "rule.json"
    path.write_text(
        '{"type": "consumption", "common_key": "area", "norm_per_person": 12.50}'
    )

    call_command(
        "set_distribution_rule",
        residence="R1",
        utility="cold",
        rule=str(path),
        valid_from=date(2026, 11, 1),
    )

    row = DistributionRule.objects.get()
    assert row.residence == small_building["residence"]
    assert row.splits == "quantity"  # a consumption rule splits the quantity
    assert row.rule["norm_per_person"] == "12.50"
    assert "R1, cold from 2026-11-01" in capsys.readouterr().out


def test_it_names_the_file_and_the_field_of_a_bad_rule(small_building, tmp_path):
    path = tmp_path / "rule.json"
    path.write_text(json.dumps({"type": "mixed", "percent_by_consumption": "120"}))

    with pytest.raises(CommandError) as err:
        call_command(
            "set_distribution_rule", residence="R1", utility="cold", rule=str(path)
        )

    assert str(err.value) == (
        f"{path}: rule.percent_by_consumption: must be between 0 and 100"
    )
    assert not DistributionRule.objects.exists()


def test_a_branch_default_needs_the_branch(small_building, tmp_path):
    path = tmp_path / "rule.json"
    path.write_text('{"type": "key", "key": "area"}')

    with pytest.raises(CommandError, match="--branch-default needs --branch"):
        call_command(
            "set_distribution_rule", branch_default=True, utility="cold", rule=str(path)
        )
