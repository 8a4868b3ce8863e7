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
    assert result.floor == 204
