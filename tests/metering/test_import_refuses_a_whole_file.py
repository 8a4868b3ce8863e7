import pytest

from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
from meterbill.metering.models import ImportBatch, Reading

from .conftest import TODAY


def _nothing_stored() -> bool:
    return not ImportBatch.objects.exists() and not Reading.objects.exists()


def test_it_refuses_a_csv_with_a_missing_column(branches, water_meters):
    data = b"meter,date\nW1,2026-11-30\n"

    with pytest.raises(ImportRefused) as refused:
        import_readings(
            data,
            fmt="csv",
            branch=branches["north"],
            filename="short.csv",
            options=ImportOptions(today=TODAY),
        )

    assert str(refused.value) == (
        "short.csv:1: field value: required column 'value' is missing"
    )
    assert _nothing_stored()


def test_it_refuses_a_file_that_is_not_nem12(branches, power_tariff):
    data = b"meter,date,value\nW1,2026-11-30,1\n"

    with pytest.raises(ImportRefused) as refused:
        import_readings(
            data,
            fmt="nem12",
            branch=branches["north"],
            filename="wrong.csv",
            options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
        )

    assert str(refused.value).startswith("wrong.csv:1: field RecordIndicator:")
    assert _nothing_stored()


def test_it_refuses_a_truncated_nem12_file(branches, power_tariff):
    data = b"100,NEM12,202601010000,MDA1,RET1\n200,NMI1,E1,1,E1,N1,M1,kWh,30,\n"

    with pytest.raises(ImportRefused) as refused:
        import_readings(
            data,
            fmt="nem12",
            branch=branches["north"],
            filename="cut.csv",
            options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
        )

    assert "cut.csv:2: field RecordIndicator: no end-of-data (900) record" in str(
        refused.value
    )
    assert _nothing_stored()


def test_it_refuses_an_unknown_tariff_and_a_missing_file(branches, tmp_path):
    north = branches["north"]

    with pytest.raises(ImportRefused, match="unknown tariff 'NOPE'"):
        import_readings(
            b"",
            fmt="nem12",
            branch=north,
            filename="a.csv",
            options=ImportOptions(register_new=True, tariff="NOPE"),
        )
    with pytest.raises(ImportRefused, match="no such file"):
        import_readings(tmp_path / "absent.csv", fmt="csv", branch=north)

    assert _nothing_stored()
