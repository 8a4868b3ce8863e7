from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meterbill.metering.models import ImportBatch


def _run(*args):
    out = StringIO()
    call_command("import_readings", *args, "--today", "2026-12-04", stdout=out)
    return out.getvalue()


def test_it_prints_the_counts_and_exits_0_when_every_row_is_imported(
    branches, water_meters, tmp_path
):
    path = tmp_path / "nov.csv"
    path.write_text("meter,date,value\nW1,2026-11-30,110\n")

    out = _run(str(path), "--format", "csv", "--branch", "N")

    assert "rows read:              1" in out
    assert "imported:               1" in out
    assert "rejected:               0" in out


def test_it_prints_the_rejected_rows_and_exits_1(branches, water_meters, tmp_path):
    path = tmp_path / "nov.csv"
    path.write_text("meter,date,value\nW1,2026-11-30,110\nW9,2026-11-30,1\n")
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_readings", str(path), "--format", "csv", "--branch", "N", stdout=out
        )

    assert failed.value.returncode == 1
    assert "1 row(s) rejected and quarantined" in str(failed.value)
    assert "nov.csv:3: field meter: unknown meter 'W9' in this branch" in (
        out.getvalue()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["absent.csv", "--format", "csv", "--branch", "N"],
            "absent.csv: no such file",
        ),
        (["x.csv", "--format", "csv", "--branch", "ZZ"], "unknown branch 'ZZ'"),
        (["x.csv", "--format", "edi", "--branch", "N"], "unknown format 'edi'"),
    ],
)
def test_it_stops_with_one_line_on_a_bad_argument(branches, args, message):
    with pytest.raises(CommandError) as failed:
        call_command("import_readings", *args)

    assert message in str(failed.value)
    assert "\n" not in str(failed.value)
    assert not ImportBatch.objects.exists()


def test_open_period_command_opens_a_period(branches):
    out = StringIO()

    call_command(
        "open_period",
        "--branch",
        "N",
        "--name",
        "2026-12",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        stdout=out,
    )

    assert "Period 2026-12 of branch N open: 2026-12-01 – 2026-12-31" in out.getvalue()
