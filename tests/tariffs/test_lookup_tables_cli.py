"""``add-tariff --components`` and ``import-tariff --format json`` read the
version's lookup tables from the same JSON file as its components."""

import json

import pytest
from django.core.management import CommandError, call_command

from meterbill.tariffs.models import LookupTable, TariffVersion

VERSION = {
    "components": [
        {
            "kind": "formula",
            "code": "HEAT",
            "description": "Heating",
            "formula": 'consumption * lookup("zone", "A")',
        }
    ],
    "tables": {"zone": {"A": "1.20", "B": "0.95"}},
}
ARGS = {"code": "HEAT", "utility": "cold", "valid_from": "2026-12-01", "vat": "11"}


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "version.json"
    path.write_text(text)
    return str(path)


def test_add_tariff_stores_the_tables_of_the_file(small_building, tmp_path, capsys):
    call_command("add_tariff", components=_write(tmp_path, json.dumps(VERSION)), **ARGS)

    version = TariffVersion.objects.get(tariff__code="HEAT")
    assert list(version.lookup_tables.values_list("name", "rows")) == [
        ("zone", [["A", "1.20"], ["B", "0.95"]])
    ]
    assert "with 1 components, 1 lookup tables" in capsys.readouterr().out


def test_import_tariff_json_stores_the_tables_of_the_file(small_building, tmp_path):
    call_command(
        "import_tariff",
        _write(tmp_path, json.dumps(VERSION)),
        format="json",
        **ARGS,
    )

    table = LookupTable.objects.get(version__tariff__code="HEAT")
    assert (table.name, table.rows[1]) == ("zone", ["B", "0.95"])


def test_a_key_given_twice_in_the_file_is_refused(small_building, tmp_path):
    # JSON would keep only the last "A"; the file names the key instead
    text = json.dumps(VERSION).replace('"B": "0.95"', '"A": "0.95"')

    with pytest.raises(CommandError) as refused:
        call_command("add_tariff", components=_write(tmp_path, text), **ARGS)

    assert str(refused.value).endswith("'A' is given twice in one JSON object")
    assert not TariffVersion.objects.filter(tariff__code="HEAT").exists()


def test_a_bad_value_names_the_file_table_and_key(small_building, tmp_path):
    text = json.dumps(VERSION).replace('"0.95"', '"0,95"')
    path = _write(tmp_path, text)

    with pytest.raises(CommandError) as refused:
        call_command("import_tariff", path, format="json", **ARGS)

    assert str(refused.value) == (
        f"{path}: tables.zone['B']: '0,95': the decimal separator is a point"
    )
    assert not TariffVersion.objects.filter(tariff__code="HEAT").exists()


def test_an_unknown_name_in_the_versions_object_is_refused(small_building, tmp_path):
    # "table" for "tables": ignoring it would store the components without the
    # price list their formulas read
    text = json.dumps({"components": VERSION["components"], "table": {}})
    path = _write(tmp_path, text)

    with pytest.raises(CommandError) as refused:
        call_command("add_tariff", components=path, **ARGS)

    assert str(refused.value) == (
        f"{path}: unknown name 'table' in the version's object (it has "
        f"'components' and 'tables')"
    )


def test_a_file_nested_too_deep_is_refused_at_the_bracket(small_building, tmp_path):
    path = _write(tmp_path, "[\n" + "[" * 70 + "]" * 71)

    with pytest.raises(CommandError) as refused:
        call_command("import_tariff", path, format="json", **ARGS)

    assert str(refused.value) == (
        f"{path}, line 2 column 64: nested deeper than 64 levels"
    )


def test_a_whole_number_longer_than_any_price_is_refused(small_building, tmp_path):
    text = json.dumps(VERSION).replace('"0.95"', "1" + "0" * 44)
    path = _write(tmp_path, text)

    with pytest.raises(CommandError) as refused:
        call_command("add_tariff", components=path, **ARGS)

    assert str(refused.value) == (
        f"{path}: a whole number of 45 digits (100000000000…); a price has at most "
        f"12 digits before the point"
    )
    assert not TariffVersion.objects.filter(tariff__code="HEAT").exists()
