"""T4 (area C): the corpus's URDB tariff (urdbv7.json) and its year of hourly load
(sample_load.csv), imported as a Green Button feed of 2018 (1 January a Monday,
not a leap year, as PySAM assumes) and billed month by month. The corpus says a
rating engine "should reproduce these bills to the cent"; ``engine.tariff`` has
``invoice_lines`` for it (the rounded month split over the parts). The bill run
rounds every energy line (period × tier) on its own instead: May, July, September
and November come out a cent below PySAM's bill (200.83 for 200.84 …). The other
eight months agree to the cent."""

from __future__ import annotations

import calendar
import json
import os
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from builders import make_contract
from intervals_world import POINT, green_button, register_on
from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.premises.models import ServicePoint
from meterbill.tariffs.models import Tariff

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
TARIFFS = CORPUS / "tariffs"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not TARIFFS.is_dir(), reason="no corpus"),
]
D = Decimal


def load_feed() -> bytes:
    """The 8,760 hours of sample_load.csv (kW, so kWh in the hour) in Wh."""
    # the first line is a title: "Exported Data (8760)"
    kw = (TARIFFS / "sample_load.csv").read_text().splitlines()[1:]
    assert len(kw) == 8760
    start = int(datetime(2018, 1, 1, tzinfo=UTC).timestamp())
    return green_button(
        "".join(
            f"<e:IntervalReading><e:timePeriod><e:duration>3600</e:duration>"
            f"<e:start>{start + 3600 * hour}</e:start></e:timePeriod>"
            f"<e:value>{(D(value.strip()) * 1000).normalize():f}</e:value>"
            "</e:IntervalReading>"
            for hour, value in enumerate(kw)
        )
    ).encode()


def test_the_year_is_billed_to_the_cent_of_the_reference(org, branches):
    south = branches["south"]
    call_command(
        "add_utility", code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip
    call_command(
        "import_tariff", str(TARIFFS / "urdbv7.json"), format="urdb", code="URDB",
        utility="power", valid_from="2018-01-01", vat="19",
    )  # fmt: skip
    tariff = Tariff.objects.get(code="URDB")
    point = ServicePoint.objects.create(branch=south, identifier=POINT)
    contract = make_contract(
        south, "U-1", "U1", "Reference Load SRL", [tariff], service_point=point,
        valid_from=date(2017, 1, 1),
    )  # fmt: skip
    register_on(point, tariff.utility, "U-1")
    report = import_readings(
        load_feed(),
        fmt="greenbutton",
        branch=south,
        filename="sample_load.xml",
        options=ImportOptions(today=date(2026, 12, 4)),
    )
    assert (report.rows_imported, report.interval_days) == (365, 365)
    expected = json.loads((TARIFFS / "urdbv7_expected.json").read_text())["outputs"]

    billed, reference = [], []
    for month in range(1, 13):
        last = calendar.monthrange(2018, month)[1]
        period = open_period(
            south, f"2018-{month:02}", date(2018, month, 1), date(2018, month, last)
        )
        bill_period(period, issue_date=date(2026, 12, 4))
        billed.append(Invoice.objects.get(contract=contract, period=period).total_net)
        # no minimum applies in any month (min_charge_ym is 0 throughout)
        exact = D(str(expected["bill_total_ym"][month - 1]))
        reference.append(exact.quantize(D("0.01"), ROUND_HALF_UP))

    assert billed == reference
