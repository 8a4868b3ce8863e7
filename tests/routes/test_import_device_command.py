import pytest
from django.core.management import CommandError, call_command


def test_it_prints_counts_and_rejected_rows_and_exits_1(
    small_building, alice, device_csv, capsys
):
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_device", str(device_csv), "--branch", "N", "--user", "alice"
        )

    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert "  imported:               2" in out
    assert "  skipped stops:          1" in out
    assert (
        "device-north.csv:5: field meter_serial: unknown meter 'X9' in branch N" in out
    )
    assert "device-north.csv:6: field register: meter 'W1' has no register '7'" in out


def test_it_exits_0_when_nothing_was_rejected(small_building, tmp_path, capsys):
    path = tmp_path / "ok.json"
    path.write_text(
        '{"format": "meterbill-route-result", "version": 1, "readings": ['
        '{"meter_serial": "W1", "register": "1", "value": "105",'
        ' "read_at": "2026-11-29T09:00:00+02:00", "reader_id": "r7",'
        ' "photo_ref": "a.jpg"}]}'
    )

    call_command("import_device", str(path), "--branch", "N")

    assert "  imported:               1" in capsys.readouterr().out


def test_it_names_an_unknown_branch_in_one_line(small_building, device_csv):
    with pytest.raises(CommandError, match="unknown branch 'ZZ'"):
        call_command("import_device", str(device_csv), "--branch", "ZZ")
