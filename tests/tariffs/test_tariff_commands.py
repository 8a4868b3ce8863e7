import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from meterbill.audit.models import AuditEvent
from meterbill.tariffs.models import TariffComponent, TariffVersion, VatRate

CORPUS = Path(__file__).parents[3] / "shared/corpus/tariffs"


@pytest.fixture
def power(org):
    call_command(
        "add_utility",
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )


def _write(tmp_path, data) -> str:
    path = tmp_path / "components.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_add_tariff_stores_the_components_of_a_file(power, tmp_path):
    components = [
        {"kind": "fixed", "code": "STANDING", "description": "Standing charge",
         "params": {"amount_per_month": "12.50"}},
        {"kind": "block", "code": "ENERGY", "description": "Energy",
         "params": {"blocks": [["100", "0.70"], [None, "0.90"]]}},
    ]  # fmt: skip

    call_command(
        "add_tariff",
        code="ELEC",
        utility="power",
        valid_from="2026-01-01",
        vat="21",
        components=_write(tmp_path, components),
        rounding_point="invoice",
    )

    version = TariffVersion.objects.get(tariff__code="ELEC")
    assert version.rounding_point == "invoice"
    rows = list(version.components.values_list("position", "kind", "code"))
    assert rows == [(1, "fixed", "STANDING"), (2, "block", "ENERGY")]
    event = AuditEvent.objects.get(action="tariff.version.add")
    assert [c["code"] for c in event.after["components"]] == ["STANDING", "ENERGY"]


def test_add_tariff_names_the_file_component_and_field(power, tmp_path):
    bad = [{"kind": "unit_price", "code": "E", "description": "Energy",
            "params": {"unit_price": "abc"}}]  # fmt: skip
    path = _write(tmp_path, bad)

    with pytest.raises(CommandError) as caught:
        call_command(
            "add_tariff", code="ELEC", utility="power", valid_from="2026-01-01",
            vat="21", components=path,
        )  # fmt: skip

    assert str(caught.value) == (
        f"{path}: component 1, params.unit_price: 'abc' is not a number"
    )
    assert not TariffVersion.objects.exists()


def test_add_tariff_names_the_line_of_broken_json(power, tmp_path):
    path = _write(tmp_path, '[\n  {"kind": "fixed",,}\n]')

    with pytest.raises(CommandError, match=r"line 2, column 20: not JSON"):
        call_command(
            "add_tariff", code="ELEC", utility="power", valid_from="2026-01-01",
            vat="21", components=path,
        )  # fmt: skip


def test_import_tariff_reads_the_corpus_urdb_rate_as_components(power):
    # without --vat the version is S at 0 %: the organisation's S rate prices it
    call_command("add_vat_rate", category="S", rate="21", valid_from="2025-08-01")
    call_command(
        "import_tariff",
        str(CORPUS / "urdbv7.json"),
        format="urdb",
        code="URDB",
        utility="power",
        valid_from="2026-01-01",
    )

    # the corpus rate has TOU energy, TOU and flat demand, 35.28 $/month fixed and
    # a 1.00 $/month minimum (the file says 35.280000000000001: kept to 6 decimals)
    rows = list(
        TariffComponent.objects.order_by("position").values_list("kind", "params")
    )
    assert [k for k, _p in rows] == ["time_of_use", "demand", "fixed", "minimum"]
    assert rows[2][1] == {"amount_per_month": "35.28"}
    assert rows[3][1] == {"amount_per_month": "1"}


def test_add_vat_rate_and_its_refusals(org):
    call_command("add_vat_rate", category="S", rate="21", valid_from="2025-08-01")

    assert VatRate.objects.get().rate_percent == Decimal("21")
    assert AuditEvent.objects.filter(action="tariff.vat_rate.add").count() == 1
    with pytest.raises(CommandError, match="rate 0 not allowed"):
        call_command("add_vat_rate", category="S", rate="0", valid_from="2026-01-01")
    with pytest.raises(CommandError, match="has a rate from 2025-08-01 already"):
        call_command("add_vat_rate", category="S", rate="19", valid_from="2025-08-01")
    call_command("add_vat_rate", category="O", valid_from="2025-08-01")
    assert VatRate.objects.get(category="O").rate_percent is None
    assert VatRate.objects.get(category="O").valid_from == date(2025, 8, 1)
