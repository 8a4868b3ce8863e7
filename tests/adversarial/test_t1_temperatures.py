"""T1 adversarial finding 7 on ``meterbill import-temperatures`` (fixed).

The mean column holds 2 decimals: a mean with more is refused, naming the file,
line and field, rather than rounded (the T1 test accepted either fix; a refusal is
raised as the reader's FormatError, as for every other bad row, not a ValueError).
"""

import pytest

from meterbill.formats.errors import FormatError
from meterbill.metering.estimation import import_temperatures
from meterbill.metering.models import TemperatureDay


def test_a_temperature_with_three_decimals_is_refused(tmp_path, branches):
    path = tmp_path / "t.csv"
    path.write_text("date,temperature_c\n2026-11-03,12.345\n", encoding="utf-8")

    with pytest.raises(FormatError) as refused:
        import_temperatures(path, branches["north"])

    assert str(refused.value) == (
        "t.csv:2: field temperature_c: '12.345' has more than 2 decimals, "
        "which would be rounded away"
    )
    assert not TemperatureDay.objects.exists()


def test_trailing_zeros_are_not_decimals_and_a_second_import_changes_nothing(
    tmp_path, branches
):
    # 12.340 is 12.34 exactly: stored, and the same file again replaces nothing
    path = tmp_path / "t.csv"
    path.write_text("date,temperature_c\n2026-11-03,12.340\n", encoding="utf-8")

    assert import_temperatures(path, branches["north"]) == (1, 0)
    assert import_temperatures(path, branches["north"]) == (0, 0)
    assert str(TemperatureDay.objects.get().mean_c) == "12.34"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("2026-11-04,٣", "temperature_c"),  # Arabic-Indic 3
        ("2026-11-04,１２", "temperature_c"),  # fullwidth 12
        ("2026-11-05,1e1", "temperature_c"),
        ("2026-11-05,NaN", "temperature_c"),
        ("20261106,3", "date"),
        ("2026-W45-6,4", "date"),
        ("２０２６-11-06,4", "date"),
    ],
)
def test_odd_digits_exponents_and_date_forms_are_refused_with_their_field(
    tmp_path, branches, row, field
):
    path = tmp_path / "t.csv"
    path.write_text(f"date,temperature_c\n{row}\n", encoding="utf-8")

    with pytest.raises(FormatError) as refused:
        import_temperatures(path, branches["north"])

    assert (refused.value.line, refused.value.field) == (2, field)


def test_a_huge_field_refuses_the_file_naming_its_line(tmp_path, branches):
    # 200 000 characters: beyond the csv module's field limit (131 072)
    path = tmp_path / "t.csv"
    path.write_text(
        f"date,temperature_c\n2026-11-01,1\n2026-11-02,{'9' * 200_000}\n",
        encoding="utf-8",
    )

    with pytest.raises(FormatError) as refused:
        import_temperatures(path, branches["north"])

    assert refused.value.line == 3
    assert "field larger than field limit" in str(refused.value)
