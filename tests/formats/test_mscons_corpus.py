import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest

from meterbill.conformance import mscons as conformance
from meterbill.formats import mscons

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
SAMPLE = CORPUS / "mscons" / "MSCONS_TL_Multiple_LOC_SAMPLE.txt"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not SAMPLE.is_file(), reason="no MSCONS corpus"),
]


def test_it_matches_the_independent_segment_split_on_every_channel():
    result = conformance.run(CORPUS)

    assert result.failures == []
    assert result.passed == result.total >= conformance.FLOOR


def test_it_reads_march_2022_as_31_german_days_per_location():
    result = mscons.read(SAMPLE.read_bytes(), filename=SAMPLE.name)

    assert result.ok
    days = sorted({r.read_on for r in result.rows})
    assert days[0] == datetime.date(2022, 3, 1)
    assert days[-1] == datetime.date(2022, 3, 31)
    assert len(result.rows) == 62
    assert mscons.channel_totals(SAMPLE.read_bytes())[
        ("51481308448", "AUA")
    ] == Decimal("709.50")
