"""``meterbill import-temperatures FILE.csv --branch X``: a branch's daily means,
whole or not at all, bad rows named by file, line and field."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from meterbill.audit.models import AuditEvent
from meterbill.metering.models import TemperatureDay


def run(path, branch: str = "N", *more: str) -> str:
    out = StringIO()
    call_command(
        "import_temperatures", str(path), "--branch", branch, *more, stdout=out
    )
    return out.getvalue()


def test_it_stores_the_days_and_replaces_a_day_given_again(branches, tmp_path):
    # a comma file, then a semicolon file with a decimal comma (formats.temperatures)
    first = tmp_path / "temps.csv"
    first.write_text("date,temperature_c\n2026-11-01,4.5\n2026-11-02,-1.25\n")

    assert "2 day(s) added, 0 replaced" in run(first)

    again = tmp_path / "again.csv"
    again.write_text("date;temperature_c\n2026-11-02;-1,5\n2026-11-03;0\n")
    assert "1 day(s) added, 1 replaced" in run(again)
    stored = dict(
        TemperatureDay.objects.filter(branch=branches["north"]).values_list(
            "day", "mean_c"
        )
    )
    assert stored == {
        date(2026, 11, 1): Decimal("4.5"),
        date(2026, 11, 2): Decimal("-1.5"),
        date(2026, 11, 3): Decimal("0"),
    }
    assert AuditEvent.objects.filter(action="temperatures.import").count() == 2

    # and another station's series is kept apart
    assert "2 day(s) added, 0 replaced" in run(first, "N", "--station", "hill")
    assert TemperatureDay.objects.filter(station="hill").count() == 2


def test_it_refuses_a_file_with_a_bad_row_and_stores_nothing(branches, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,temperature_c\n2026-11-01,4.5\n2026-11-31,3\n2026-11-03,75\n")

    with pytest.raises(CommandError) as refused:
        run(bad)

    assert str(refused.value) == (
        "refused, nothing imported: bad.csv:3: field date: '2026-11-31' is not a "
        "date (YYYY-MM-DD) (and 1 more bad rows)"
    )
    assert not TemperatureDay.objects.exists()


def test_it_names_a_missing_column_and_an_unknown_branch(branches, tmp_path):
    headerless = tmp_path / "t.csv"
    headerless.write_text("date,temp\n2026-11-01,4\n")

    with pytest.raises(CommandError, match=r"t\.csv:1: header must name the columns"):
        run(headerless)
    with pytest.raises(CommandError, match="unknown branch 'XX'"):
        run(headerless, branch="XX")
