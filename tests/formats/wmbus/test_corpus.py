import os
from pathlib import Path

import pytest

from meterbill.conformance import wmbus

CORPUS = Path(
    os.environ.get(
        "METERBILL_CORPUS",
        Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus",
    )
)

pytestmark = pytest.mark.corpus


@pytest.mark.skipif(not (CORPUS / "wmbus").is_dir(), reason="corpus not present")
def test_it_decodes_the_wmbusmeters_telegrams_at_least_to_the_floor():
    result = wmbus.run(CORPUS)

    assert result.total == 213
    assert result.meets_floor, "\n".join(result.failures)
    assert result.floor == 206


@pytest.mark.skipif(not (CORPUS / "wmbus").is_dir(), reason="corpus not present")
def test_it_names_the_damaged_corpus_line_instead_of_a_decoder_error():
    result = wmbus.run(CORPUS)

    # Line 246 has 123 hex digits; its L-field 0x3C gives 61 bytes = 122 digits.
    assert any(
        f.startswith("line 246 ") and "odd count" in f and "after 122" in f
        for f in result.failures
    ), result.failures
