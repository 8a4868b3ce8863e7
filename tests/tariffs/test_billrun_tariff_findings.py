from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice

D = Decimal


def test_a_formula_error_holds_only_that_contract(small_building, with_components):
    # given a formula that divides by (3 − persons): apartment 3 has 3 persons
    with_components(
        {
            "kind": "formula",
            "code": "WATER",
            "description": "Cold water",
            "formula": "consumption * 4 / (3 - persons)",
        }
    )

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartments 1 and 2 are billed: 11 × 4 / 2 = 22.00 and 22 × 4 / 1 = 88.00
    apt1, apt2, apt3 = small_building["apartments"]
    assert Invoice.objects.get(apartment=apt1).total_net == D("22.00")
    assert Invoice.objects.get(apartment=apt2).total_net == D("88.00")
    # and apartment 3's invoice is held with a finding that says why
    assert not Invoice.objects.filter(apartment=apt3).exists()
    assert run.summary["issued"] == 2
    finding = Finding.objects.get(rule="tariff_error")
    contract = apt3.contract_set.get()
    assert finding.subject == f"contract:{contract.pk}"
    assert finding.severity == "block"
    assert "division by zero" in finding.message.lower()
    assert "COLD" in finding.message


def test_a_missing_version_is_a_finding_naming_the_days(small_building):
    # given COLD's only version starts on 11 Nov: 1–10 Nov have no price
    small_building["tariff"].versions.update(valid_from=date(2026, 11, 11))

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then nothing is billed silently: each contract has a tariff_missing finding
    assert run.summary["issued"] == 0
    messages = sorted(
        Finding.objects.filter(rule="tariff_missing").values_list("message", flat=True)
    )
    assert len(messages) == 3
    assert (
        "tariff COLD has no version in force from 2026-11-01 to 2026-11-10"
        in (messages[0])
    )
    assert "(10 days of 2026-11)" in messages[0]


def test_a_tariff_without_any_version_is_a_finding(small_building):
    from meterbill.tariffs.models import Tariff

    # given the contracts' tariff replaced by one that has no version at all
    empty = Tariff.objects.create(
        organisation=small_building["tariff"].organisation,
        code="EMPTY",
        name="Empty",
        utility=small_building["utility"],
    )
    from meterbill.premises.models import ContractService

    ContractService.objects.update(tariff=empty)

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then the 30 days of November are named as uncovered
    assert run.summary["issued"] == 0
    finding = Finding.objects.filter(rule="tariff_missing").first()
    assert finding is not None
    assert "from 2026-11-01 to 2026-11-30 (30 days" in finding.message


def test_time_of_use_without_hourly_data_holds_the_invoice(
    small_building, with_components
):
    import json
    from pathlib import Path

    rate = json.loads(
        (Path(__file__).parents[3] / "shared/corpus/tariffs/urdbv7.json").read_text()
    )
    # given a time-of-use component and apartment meters read by index only
    with_components(
        {
            "kind": "time_of_use",
            "code": "ENERGY",
            "description": "Energy",
            "params": {"urdb": rate},
        }
    )

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then each contract is held with tariff_needs_intervals, and nothing crashes
    assert run.summary["issued"] == 0
    assert Finding.objects.filter(rule="tariff_needs_intervals").count() == 3
