import os
from decimal import Decimal
from pathlib import Path

import pytest

from meterbill.conformance import greenbutton as conformance
from meterbill.formats import greenbutton

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
ROOT = CORPUS / "greenbutton"
COASTAL = "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not ROOT.is_dir(), reason="no Green Button corpus"),
]


def test_it_matches_the_independent_totals_on_every_channel():
    result = conformance.run(CORPUS)

    assert result.failures == []
    assert result.passed == result.total >= conformance.FLOOR


def test_it_reads_a_year_of_hourly_data_into_365_days():
    path = ROOT / "electricity" / COASTAL

    result = greenbutton.read(path.read_bytes(), filename=path.name)

    assert result.ok
    assert len(result.rows) == 365
    # first local day: the first 24 hourly values of the file, summed by hand
    assert result.rows[0].value == Decimal(14019)


def test_it_reads_daily_values_across_both_dst_switches_one_row_a_day():
    path = ROOT / "electricity/TestGBDataOneYearDailyBinnedMonthly.xml"

    rows = greenbutton.read(path.read_bytes()).rows

    assert all(r.period_start == r.read_on for r in rows)
    assert len({r.read_on for r in rows}) == len(rows)


def test_it_reads_gas_billing_periods_as_period_rows():
    path = ROOT / "abridged/gas_containerized.xml"

    rows = greenbutton.read(path.read_bytes()).rows

    assert [r.value for r in rows] == [Decimal(12000), Decimal(15000), Decimal(20000)]
    assert all((r.read_on - r.period_start).days >= 28 for r in rows)
