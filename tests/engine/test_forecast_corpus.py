import os
from pathlib import Path

import pytest

from meterbill.conformance import forecast

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (CORPUS / "forecast" / "metadata.json").exists(),
        reason="no forecast corpus",
    ),
]


def test_it_meets_the_guideline_14_limits_on_held_out_data():
    result = forecast.run(CORPUS)

    assert (result.passed, result.total) == (2, 2), result.failures
    assert result.meets_floor


def test_it_reports_its_figures_per_case():
    lines = forecast.details(CORPUS)

    assert len(lines) == 2
    assert all("CV(RMSE)" in line and "NMBE" in line for line in lines)
