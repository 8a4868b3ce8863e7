"""Our bills for the corpus URDB tariff equal PySAM Utilityrate5's to the cent."""

import os
from pathlib import Path

import pytest

from meterbill.conformance import urdb

CORPUS = Path(
    os.environ.get(
        "METERBILL_CORPUS",
        Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus",
    )
)

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "tariffs").is_dir(), reason="corpus not present"),
]


def test_it_matches_every_pysam_figure_to_the_cent():
    # given the corpus tariffs with PySAM's bills

    # when
    result = urdb.run(CORPUS)

    # then 12 months x 5 figures + the annual total
    assert result.total == 61
    assert result.failures == []
    assert result.passed == 61
    assert result.meets_floor
