"""T4 adversarial (D, version JSON): ``add-tariff --components`` and
``import-tariff --format json`` read the version's file (components and lookup
tables); a hostile file must come back as a CommandError naming the file, never a
traceback. Deep nesting and a 5,000-digit number escape ``json.loads`` as
RecursionError and ValueError."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

ARGS = {"code": "HEAT", "utility": "cold", "valid_from": "2026-12-01", "vat": "11"}
FORMULA = '{"kind": "formula", "code": "H", "description": "H", "formula": "1"}'
FILES = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep_tables": '{"components": ['
    + FORMULA
    + '], "tables": '
    + '{"a": ' * 50_000
    + "1"
    + "}" * 50_001,
    "long_number": '{"components": ['
    + FORMULA
    + '], "tables": {"z": {"A": '
    + "9" * 5_000
    + "}}}",
}


@pytest.mark.parametrize("command", ["add_tariff", "import_tariff"])
@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_hostile_version_file_is_a_command_error(
    small_building, tmp_path, command, kind
):
    path = tmp_path / f"{kind}.json"
    path.write_text(FILES[kind], encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        if command == "add_tariff":
            call_command("add_tariff", components=str(path), **ARGS)
        else:
            call_command("import_tariff", str(path), format="json", **ARGS)

    assert str(refused.value).startswith(str(path))
