import os
from pathlib import Path

import pytest

from meterbill.conformance import nem12 as conformance
from meterbill.formats import nem12
from meterbill.formats.errors import InvalidFormat

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
ROOT = CORPUS / "nem12"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not ROOT.is_dir(), reason="no NEM12 corpus"),
]


def samples(invalid: bool) -> list[Path]:
    if not ROOT.is_dir():
        return []
    return sorted(
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix.lower() in (".zip", ".csv")
        and (p.relative_to(ROOT).parts[0] == "invalid") == invalid
    )


@pytest.mark.parametrize("path", samples(invalid=False), ids=lambda p: p.name)
def test_it_reads_every_valid_sample_without_errors(path):
    result = nem12.read(path.read_bytes(), filename=path.name)

    assert result.errors == []
    assert result.rows


@pytest.mark.parametrize("path", samples(invalid=True), ids=lambda p: p.name)
def test_it_refuses_every_invalid_sample_naming_file_and_line(path):
    with pytest.raises(InvalidFormat) as caught:
        nem12.read(path.read_bytes(), filename=path.name)

    assert caught.value.file.startswith(path.name)
    assert caught.value.line is not None
    assert "\n" not in str(caught.value)


def test_it_refuses_the_incomplete_interval_sample_with_the_counts():
    path = ROOT / "invalid" / "Example_NEM12_incomplete_interval.csv"

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(path.read_bytes(), filename=path.name)

    assert str(caught.value) == (
        "Example_NEM12_incomplete_interval.csv:3: field IntervalValue: expected 48 "
        "interval values for a 30-minute interval length, found 0"
    )


def test_it_meets_the_conformance_floor():
    result = conformance.run(CORPUS)

    assert result.total == 140
    assert result.meets_floor, result.failures


def test_it_reports_the_day_nemreader_drops_in_scenario_10():
    result = conformance.run(CORPUS)

    # B2 of NEM1210191: 1078 (11 Jan) + 1473 (12 Jan) + 1520 (13 Jan, wrapped
    # over three lines) = 4071 kWh; nemreader has 2551 = 4071 - 1520.
    assert result.passed == result.total == 140
    assert result.floor == 140
    assert any(
        "Scenario10#ETSAMDP" in f
        and "('NEM1210191', 'B2')" in f
        and "leaves out 2005-01-13 (1520 kWh)" in f
        for f in result.findings
    ), result.findings
